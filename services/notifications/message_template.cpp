#include "message_template.h"

#include <kainjow/mustache.hpp>

#include <regex>
#include <set>

namespace qrfleet::notify {

namespace mustache = kainjow::mustache;

namespace {

mustache::data toData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, toData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mustache::data d{mustache::data::type::list};
      for (const auto& v : j) d.push_back(toData(v));
      return d;
    }
    case nlohmann::json::value_t::string: return mustache::data(j.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return mustache::data(j.get<bool>() ? mustache::data::type::bool_true : mustache::data::type::bool_false);
    case nlohmann::json::value_t::null: return mustache::data(std::string());
    default: return mustache::data(j.dump());
  }
}

// Names looked up and not found, beside the template's sections (which may be absent).
class MissingNameContext : public mustache::basic_context<std::string> {
 public:
  explicit MissingNameContext(const mustache::data* root) : inner_(root) {}
  void push(const mustache::data* data) override { inner_.push(data); }
  void pop() override { inner_.pop(); }
  const mustache::data* get(const std::string& name) const override {
    const auto* found = inner_.get(name);
    if (!found) missing.insert(name);
    return found;
  }
  const mustache::data* get_partial(const std::string&) const override { return nullptr; }
  mutable std::set<std::string> missing;

 private:
  mustache::context<std::string> inner_;
};

std::set<std::string> sectionNames(const std::string& text) {
  static const std::regex section(R"(\{\{\s*[#^]\s*([^}\s]+)\s*\}\})");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), section); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

std::string render(const MessageTemplate& t, const char* part, const std::string& text, const mustache::data& data,
                   bool escapeHtml) {
  if (text.empty()) return {};
  mustache::mustache m(text);
  auto where = "template '" + t.name + "' (" + t.channel + (t.locale.empty() ? "" : ", " + t.locale) + ", version " +
               std::to_string(t.version) + ") " + part;
  if (!m.is_valid()) throw TemplateError(where + ": " + m.error_message());
  if (!escapeHtml) m.set_custom_escape([](const std::string& s) { return s; });
  MissingNameContext ctx(&data);
  auto out = m.render(ctx);
  auto sections = sectionNames(text);
  for (const auto& name : ctx.missing)
    if (!sections.count(name)) throw TemplateError(where + ": the data has no variable '" + name + "'");
  return out;
}

// Mustache's own escaping, with the text's line breaks kept visible.
std::string textAsHtml(const std::string& s) {
  std::string out;
  for (char c : mustache::html_escape<std::string>(s)) out += c == '\n' ? std::string("<br>\n") : std::string(1, c);
  return out;
}

}  // namespace

RenderedMessage renderTemplate(const MessageTemplate& t, const nlohmann::json& data) {
  auto d = toData(data.is_object() ? data : nlohmann::json::object());
  RenderedMessage m;
  m.subject = render(t, "subject", t.subject, d, false);
  m.html = render(t, "html", t.html, d, true);
  m.text = render(t, "body", t.body, d, false);
  return m;
}

RenderedMessage inlineMessage(const std::string& subject, const std::string& body) {
  return {subject, "<p>" + textAsHtml(body) + "</p>", body};
}

}  // namespace qrfleet::notify
