#include <doctest/doctest.h>

#include "mime_message.h"

using namespace qrfleet::notify;

TEST_CASE("a mail carries the notification's Message-ID, a UTF-8 subject and both bodies in base64") {
  MailHeaders h{"QR <no-reply@qr.test>", "ada@example.com", "k1@qr.test", "k1", 0};
  auto text = mimeMessage(h, {"Grüße", "<p>hi</p>", "hi"});
  CHECK(text.find("Message-ID: <k1@qr.test>\r\n") != std::string::npos);
  CHECK(text.find("X-Idempotency-Key: k1\r\n") != std::string::npos);
  CHECK(text.find("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n") != std::string::npos);
  CHECK(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n") != std::string::npos);
  CHECK(text.find("multipart/alternative") != std::string::npos);
  CHECK(text.find("aGk=\r\n") != std::string::npos);              // "hi"
  CHECK(text.find("PHA+aGk8L3A+\r\n") != std::string::npos);      // "<p>hi</p>"
  CHECK(text.find("\n.") == std::string::npos);                   // nothing for a relay to dot-stuff
  auto plain = mimeMessage(h, {"s", "", "only text"});
  CHECK(plain.find("multipart") == std::string::npos);
  CHECK(bareAddress("QR <no-reply@qr.test>") == "no-reply@qr.test");
}
