#pragma once
#include <string>
#include <string_view>

namespace qrfleet::scan {

struct UserAgentClass {
  std::string device;   // mobile, tablet, desktop, bot, unknown
  std::string os;       // iOS, Android, Windows, macOS, Linux, ChromeOS, Windows Phone, other
  std::string browser;  // Chrome, Safari, Firefox, Edge, Opera, Samsung Internet, Facebook, Instagram, bot, other
  bool isBot() const { return device == "bot"; }
};

// Rule-based classification of a User-Agent header: ordered substring tests,
// most specific first (Edge and Opera also say "Chrome", Chrome also says
// "Safari"). Tested against real strings in user_agent_classifier_test.cpp.
// Known limit: iPadOS 13+ Safari presents itself as macOS desktop.
class UserAgentClassifier {
 public:
  UserAgentClass classify(std::string_view userAgent) const;
};

}  // namespace qrfleet::scan
