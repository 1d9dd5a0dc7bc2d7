#include "mime_message.h"

#include <ctime>

#include "qrfleet/base64.h"
#include "qrfleet/sha256.h"

namespace qrfleet::notify {

namespace {

std::string base64Lines(const std::string& in) {
  auto b = base64Encode(in);
  std::string out;
  for (std::size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

bool plainAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// RFC 2047: one encoded-word per chunk of whole UTF-8 characters, folded.
std::string encodedHeader(const std::string& value) {
  if (plainAscii(value) && value.size() < 900) return value;
  std::string out;
  std::size_t start = 0;
  while (start < value.size()) {
    std::size_t end = std::min(value.size(), start + 45);
    while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;  // not mid-character
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64Encode(value.substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string rfc5322Date(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string noBreaks(std::string s) {
  for (auto& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string bareAddress(const std::string& address) {
  auto open = address.rfind('<');
  auto close = address.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open)
    return address.substr(open + 1, close - open - 1);
  return address;
}

std::string mimeMessage(const MailHeaders& h, const RenderedMessage& m) {
  std::string out;
  out += "From: " + noBreaks(h.from) + "\r\n";
  out += "To: " + noBreaks(h.to) + "\r\n";
  out += "Subject: " + encodedHeader(noBreaks(m.subject)) + "\r\n";
  out += "Date: " + rfc5322Date(h.dateMs) + "\r\n";
  out += "Message-ID: <" + h.messageId + ">\r\n";
  out += "X-Idempotency-Key: " + h.idempotencyKey + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (m.html.empty()) {
    out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    out += base64Lines(m.text);
    return out;
  }
  auto boundary = "=_qrfleet_" + sha256Hex(h.messageId).substr(0, 24);
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += base64Lines(m.text);
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += base64Lines(m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace qrfleet::notify
