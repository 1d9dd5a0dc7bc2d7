#include "sms_sender.h"

#include "qrfleet/base64.h"

namespace qrfleet::notify {

namespace {
std::string formEncode(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

StepOutcome SmsSender::send(const ProviderSettings& p, const OutgoingMessage& m, const OutsideCall& call) {
  auto req = providerPost(p, "/2010-04-01/Accounts/" + formEncode(p.account) + "/Messages.json");
  req.headers = {{"Authorization", "Basic " + base64Encode(p.account + ":" + p.token)},
                 {"Content-Type", "application/x-www-form-urlencoded"},
                 {"I-Twilio-Idempotency-Token", call.idempotencyKey}};
  req.body = "To=" + formEncode(*m.address.phone) + "&From=" + formEncode(p.from) + "&Body=" + formEncode(m.content.text);
  auto resp = http_.send(req);
  auto outcome = classifyHttp(resp);
  if (outcome.status == StepStatus::succeeded) {
    auto body = nlohmann::json::parse(resp.body, nullptr, false);
    outcome.detail = body.is_object() && body.contains("sid") && body["sid"].is_string() ? body["sid"].get<std::string>()
                                                                                         : std::string("accepted");
  }
  return outcome;
}

}  // namespace qrfleet::notify
