#include "email_sender.h"

#include "mime_message.h"
#include "qrfleet/time_format.h"

namespace qrfleet::notify {

namespace {
std::string domainOf(const std::string& address) {
  auto bare = bareAddress(address);
  auto at = bare.rfind('@');
  return at == std::string::npos ? "qrfleet.local" : bare.substr(at + 1);
}
}  // namespace

StepOutcome EmailSender::send(const ProviderSettings& provider, const OutgoingMessage& message,
                              const OutsideCall& call) {
  return provider.kind == "smtp" ? viaSmtp(provider, message, call) : viaSendgrid(provider, message, call);
}

StepOutcome EmailSender::viaSmtp(const ProviderSettings& p, const OutgoingMessage& m, const OutsideCall& call) {
  MailHeaders h;
  h.from = p.from;
  h.to = *m.address.email;
  h.messageId = call.idempotencyKey + "@" + domainOf(p.from);
  h.idempotencyKey = call.idempotencyKey;
  h.dateMs = nowMillis();
  SmtpServerSettings server{p.url, p.user, p.password, p.requireTls, p.caFile, std::chrono::milliseconds(3000), p.timeout};
  auto result = smtp_.send(server, {bareAddress(p.from), {*m.address.email}, mimeMessage(h, m.content)}, p.name);
  auto outcome = classifySmtp(result);
  if (outcome.status == StepStatus::succeeded) outcome.detail = "<" + h.messageId + ">";
  return outcome;
}

StepOutcome EmailSender::viaSendgrid(const ProviderSettings& p, const OutgoingMessage& m, const OutsideCall& call) {
  nlohmann::json content = nlohmann::json::array({{{"type", "text/plain"}, {"value", m.content.text}}});
  if (!m.content.html.empty()) content.push_back({{"type", "text/html"}, {"value", m.content.html}});
  nlohmann::json body = {{"personalizations", {{{"to", {{{"email", *m.address.email}}}}}}},
                         {"from", {{"email", bareAddress(p.from)}}},
                         {"subject", m.content.subject.empty() ? std::string(" ") : m.content.subject},
                         {"content", content},
                         {"headers", {{"Idempotency-Key", call.idempotencyKey}}}};
  auto req = providerPost(p, "/v3/mail/send");
  req.headers = {{"Authorization", "Bearer " + p.token},
                 {"Content-Type", "application/json"},
                 {"Idempotency-Key", call.idempotencyKey}};
  req.body = body.dump();
  auto resp = http_.send(req);
  auto outcome = classifyHttp(resp);
  if (outcome.status == StepStatus::succeeded) outcome.detail = resp.header("x-message-id");
  return outcome;
}

}  // namespace qrfleet::notify
