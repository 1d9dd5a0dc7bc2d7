#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace qrfleet::notify {

// A template as stored (notify.templates): mustache texts for one name,
// channel and locale. Email has a subject, an HTML and a text body; SMS, push
// and in-app have a body (push also a subject: its title).
struct MessageTemplate {
  std::string name;
  std::string channel;
  std::string locale;  // '' = any
  int version = 0;
  std::string subject;
  std::string html;
  std::string body;
};

// What a message says, ready to send.
struct RenderedMessage {
  std::string subject;
  std::string html;  // empty: text only
  std::string text;
};

// A template that cannot be rendered: a syntax error, or a variable the data
// does not have. Permanent: the same request fails the same way every time.
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Renders with `data`. {{name}} in the HTML body is HTML-escaped; the subject
// and the text body are not (they are not HTML). A variable the data lacks is
// an error naming it, never an empty hole in a sent message; a section
// ({{#name}} ... {{/name}}) the data lacks is simply false, as mustache says.
RenderedMessage renderTemplate(const MessageTemplate& t, const nlohmann::json& data);

// An inline message (a request's subject/body): sent as given, the HTML
// version its escaped text.
RenderedMessage inlineMessage(const std::string& subject, const std::string& body);

}  // namespace qrfleet::notify
