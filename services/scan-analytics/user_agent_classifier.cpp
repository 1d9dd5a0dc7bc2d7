#include "user_agent_classifier.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace qrfleet::scan {

namespace {
bool has(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

bool hasNoCase(const std::string& lower, std::string_view needle) { return lower.find(needle) != std::string::npos; }

constexpr std::array kBotMarkers = {"bot",           "crawler",   "spider",        "slurp",      "facebookexternalhit",
                                    "curl/",         "wget/",     "python-requests", "python-urllib", "headlesschrome",
                                    "go-http-client", "java/",    "httpclient",    "libwww",     "scrapy",
                                    "preview",       "monitor",   "lighthouse",    "phantomjs",  "axios/",
                                    "node-fetch",    "postmanruntime"};
}  // namespace

UserAgentClass UserAgentClassifier::classify(std::string_view ua) const {
  UserAgentClass c{"unknown", "other", "other"};
  if (ua.empty()) return c;
  std::string lower(ua);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });

  if (has(ua, "Windows Phone")) c.os = "Windows Phone";
  else if (has(ua, "Windows NT") || has(ua, "Windows ")) c.os = "Windows";
  else if (has(ua, "iPhone") || has(ua, "iPad") || has(ua, "iPod")) c.os = "iOS";
  else if (has(ua, "Android")) c.os = "Android";
  else if (has(ua, "CrOS")) c.os = "ChromeOS";
  else if (has(ua, "Mac OS X") || has(ua, "Macintosh")) c.os = "macOS";
  else if (has(ua, "Linux") || has(ua, "X11")) c.os = "Linux";

  for (const char* marker : kBotMarkers) {
    if (hasNoCase(lower, marker)) {
      c.device = "bot";
      c.browser = "bot";
      return c;
    }
  }

  if (has(ua, "iPad") || has(ua, "Tablet") || has(ua, "Kindle") || has(ua, "Silk/") || has(ua, "PlayBook") ||
      (has(ua, "Android") && !has(ua, "Mobile")))
    c.device = "tablet";
  else if (has(ua, "Mobi") || has(ua, "iPhone") || has(ua, "iPod") || has(ua, "Android") ||
           has(ua, "Windows Phone") || has(ua, "BlackBerry") || has(ua, "Opera Mini"))
    c.device = "mobile";
  else if (has(ua, "Windows") || has(ua, "Macintosh") || has(ua, "X11") || has(ua, "Linux") || has(ua, "CrOS"))
    c.device = "desktop";

  if (has(ua, "FBAN/") || has(ua, "FBAV/")) c.browser = "Facebook";
  else if (has(ua, "Instagram")) c.browser = "Instagram";
  else if (has(ua, "SamsungBrowser/")) c.browser = "Samsung Internet";
  else if (has(ua, "Edg/") || has(ua, "Edge/") || has(ua, "EdgA/") || has(ua, "EdgiOS/")) c.browser = "Edge";
  else if (has(ua, "OPR/") || has(ua, "Opera")) c.browser = "Opera";
  else if (has(ua, "Firefox/") || has(ua, "FxiOS/")) c.browser = "Firefox";
  else if (has(ua, "CriOS/") || has(ua, "Chrome/") || has(ua, "Chromium/")) c.browser = "Chrome";
  else if (has(ua, "Safari/") && has(ua, "Version/")) c.browser = "Safari";
  else if (has(ua, "MSIE ") || has(ua, "Trident/")) c.browser = "Internet Explorer";
  return c;
}

}  // namespace qrfleet::scan
