#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>

#include "cli_context.h"
#include "commands.h"
#include "worker_binary.h"

namespace qrfleet::cli {

namespace fs = std::filesystem;

namespace {

// One template version as the files give it.
struct TemplateFiles {
  std::optional<std::string> subject;
  std::optional<std::string> html;
  std::optional<std::string> body;
};

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// DIR/<name>/<channel>[.<locale>].<part>, part: subject, html or txt.
std::map<std::tuple<std::string, std::string, std::string>, TemplateFiles> scan(const fs::path& dir) {
  static const std::regex file(R"((email|sms|push|in_app)(\.([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*))?\.(subject|html|txt))");
  std::map<std::tuple<std::string, std::string, std::string>, TemplateFiles> out;
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + " is not a directory");
  for (const auto& t : fs::directory_iterator(dir)) {
    if (!t.is_directory()) continue;
    auto name = t.path().filename().string();
    for (const auto& f : fs::directory_iterator(t.path())) {
      std::smatch m;
      auto base = f.path().filename().string();
      if (!f.is_regular_file() || !std::regex_match(base, m, file))
        throw std::runtime_error(f.path().string() +
                                 ": expected <channel>[.<locale>].<subject|html|txt>, channel email, sms, push or in_app");
      auto& entry = out[{name, m[1].str(), m[3].str()}];
      auto text = readFile(f.path());
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r') && m[5] != "html") text.pop_back();
      if (m[5] == "subject") entry.subject = text;
      else if (m[5] == "html") entry.html = text;
      else entry.body = text;
    }
  }
  return out;
}

int loadTemplates(const std::string& dir) {
  CliContext ctx;
  auto url = ctx.databaseUrl();
  auto files = scan(dir);
  for (const auto& [key, t] : files)
    if (!t.body)
      throw std::runtime_error("template " + std::get<0>(key) + " (" + std::get<1>(key) + ") has no .txt body");
  pqxx::connection conn(url);
  // The worker owns its schema: before its first start, it migrates it (with
  // the worker's environment) before templates go in.
  if (pqxx::nontransaction(conn).exec1("SELECT to_regclass('notify.templates') IS NULL")[0].as<bool>())
    if (int rc = WorkerBinary(std::string("notifications")).run({"--migrate"}, false).exitCode; rc != 0)
      throw std::runtime_error("the notify schema does not exist and qrfleet-notifications --migrate failed (exit " +
                               std::to_string(rc) + "); run this with the worker's environment");
  pqxx::work txn(conn);
  int added = 0, unchanged = 0;
  for (const auto& [key, t] : files) {
    const auto& [name, channel, locale] = key;
    auto latest = txn.exec_params(
        "SELECT version, subject, html, body FROM notify.templates WHERE name = $1 AND channel = $2 AND locale = $3"
        " ORDER BY version DESC LIMIT 1",
        name, channel, locale);
    auto same = [&](int col, const std::optional<std::string>& v) {
      return latest[0][col].is_null() ? !v : (v && *v == latest[0][col].as<std::string>());
    };
    if (!latest.empty() && same(1, t.subject) && same(2, t.html) && same(3, t.body)) {
      ++unchanged;
      continue;
    }
    int version = latest.empty() ? 1 : latest[0][0].as<int>() + 1;
    txn.exec_params("INSERT INTO notify.templates (name, channel, locale, version, subject, html, body)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    name, channel, locale, version, t.subject, t.html, *t.body);
    std::cout << "  " << name << " " << channel << (locale.empty() ? "" : " " + locale) << ": version " << version
              << "\n";
    ++added;
  }
  txn.commit();
  std::cout << "templates: " << added << " new versions, " << unchanged << " unchanged\n";
  return 0;
}

}  // namespace

void addNotifyCommand(CLI::App& app) {
  auto* notify = app.add_subcommand("notify", "notifications: message templates");
  notify->require_subcommand(1);
  auto* templates = notify->add_subcommand("templates", "message templates in the notify schema");
  templates->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto* load = templates->add_subcommand(
      "load", "load DIR/<name>/<channel>[.<locale>].{subject,html,txt}; a changed file adds a version");
  load->add_option("dir", *dir, "the templates directory")->required();
  load->callback([dir] {
    if (int rc = loadTemplates(*dir); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace qrfleet::cli
