#pragma once
#include <GeoIP.h>

#include <memory>
#include <optional>
#include <string>

namespace qrfleet::scan {

// Country of a scan: the payload's own `country` if present, else an offline
// lookup of the IP in Debian's GeoIP country databases (geoip-database), else
// "unknown" (private ranges, unknown blocks, no database configured).
class CountryResolver {
 public:
  // Empty paths disable the lookup for that address family. Throws
  // std::runtime_error naming the file if one cannot be opened.
  CountryResolver(const std::string& ipv4Database, const std::string& ipv6Database);

  std::string resolve(const std::optional<std::string>& declared, const std::string& ip) const;

 private:
  struct Closer {
    void operator()(GeoIP* g) const { GeoIP_delete(g); }
  };
  std::unique_ptr<GeoIP, Closer> v4_;
  std::unique_ptr<GeoIP, Closer> v6_;
};

}  // namespace qrfleet::scan
