#pragma once
#include <cstdint>
#include <string>

#include "message_template.h"

namespace qrfleet::notify {

struct MailHeaders {
  std::string from;       // address; may be "Name <addr>"
  std::string to;
  std::string messageId;  // without angle brackets; the notification's idempotency key @ the sender's domain
  std::string idempotencyKey;
  std::int64_t dateMs = 0;
};

// The RFC 5322 text of a mail (CRLF line ends): the subject as a UTF-8
// encoded-word, multipart/alternative text and HTML (or text alone), bodies
// in base64 so any UTF-8 and any line length go through every relay. The
// Message-ID is the notification's: a relay or inbox that sees it twice knows
// it is the same mail.
std::string mimeMessage(const MailHeaders& headers, const RenderedMessage& message);

// The address inside "Name <addr>", or the whole text.
std::string bareAddress(const std::string& address);

}  // namespace qrfleet::notify
