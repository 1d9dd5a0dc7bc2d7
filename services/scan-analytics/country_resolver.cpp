#include "country_resolver.h"

#include <stdexcept>

namespace qrfleet::scan {

namespace {
GeoIP* open(const std::string& path) {
  if (path.empty()) return nullptr;
  GeoIP* g = GeoIP_open(path.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  if (g == nullptr) throw std::runtime_error("cannot open GeoIP database " + path);
  return g;
}
}  // namespace

CountryResolver::CountryResolver(const std::string& ipv4Database, const std::string& ipv6Database)
    : v4_(open(ipv4Database)), v6_(open(ipv6Database)) {}

std::string CountryResolver::resolve(const std::optional<std::string>& declared, const std::string& ip) const {
  if (declared) return *declared;
  const char* code = nullptr;
  if (ip.find(':') == std::string::npos) {
    if (v4_) code = GeoIP_country_code_by_addr(v4_.get(), ip.c_str());
  } else if (v6_) {
    code = GeoIP_country_code_by_addr_v6(v6_.get(), ip.c_str());
  }
  // GeoIP answers "--"/"A1"/"A2"/"O1" for unknown, anonymous proxies and satellite ranges.
  if (code == nullptr || code[0] == '-' || code[0] == '\0' ||
      (code[1] >= '0' && code[1] <= '9'))
    return "unknown";
  return code;
}

}  // namespace qrfleet::scan
