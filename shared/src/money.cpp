#include "qrfleet/money.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace qrfleet {

namespace {

// Stripe's zero-decimal and three-decimal currencies (docs: Supported currencies).
constexpr std::array<std::string_view, 16> kZeroDecimal = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
                                                           "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};
constexpr std::array<std::string_view, 5> kThreeDecimal = {"BHD", "JOD", "KWD", "OMR", "TND"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int currencyExponent(std::string_view currency) {
  auto code = upper(currency);
  if (std::find(kZeroDecimal.begin(), kZeroDecimal.end(), code) != kZeroDecimal.end()) return 0;
  if (std::find(kThreeDecimal.begin(), kThreeDecimal.end(), code) != kThreeDecimal.end()) return 3;
  return 2;
}

std::int64_t minorUnits(std::string_view decimal, std::string_view currency) {
  const std::string original(decimal);
  auto bad = [&](const std::string& why) { return std::invalid_argument("'" + original + "' " + why); };
  bool negative = false;
  if (!decimal.empty() && (decimal.front() == '-' || decimal.front() == '+')) {
    negative = decimal.front() == '-';
    decimal.remove_prefix(1);
  }
  auto dot = decimal.find('.');
  auto whole = decimal.substr(0, dot);
  auto fraction = dot == std::string_view::npos ? std::string_view() : decimal.substr(dot + 1);
  auto digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  if (whole.empty() || !digits(whole) || !digits(fraction) || (dot != std::string_view::npos && fraction.empty()))
    throw bad("is not a decimal amount (e.g. 12.34 or -5.00)");
  const auto exponent = static_cast<std::size_t>(currencyExponent(currency));
  if (fraction.size() > exponent) {
    if (!std::all_of(fraction.begin() + static_cast<std::ptrdiff_t>(exponent), fraction.end(),
                     [](char c) { return c == '0'; }))
      throw bad("has more decimals than " + upper(currency) + "'s " + std::to_string(exponent));
    fraction = fraction.substr(0, exponent);
  }
  std::string all = std::string(whole) + std::string(fraction) + std::string(exponent - fraction.size(), '0');
  std::int64_t value = 0;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  for (char c : all) {
    if (value > (max - (c - '0')) / 10) throw bad("is too large");
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

std::string formatMinorUnits(std::int64_t minor, std::string_view currency) {
  const auto exponent = static_cast<std::size_t>(currencyExponent(currency));
  // Through unsigned: the most negative amount has no positive counterpart.
  auto magnitude = minor < 0 ? ~static_cast<std::uint64_t>(minor) + 1 : static_cast<std::uint64_t>(minor);
  auto digits = std::to_string(magnitude);
  if (digits.size() <= exponent) digits.insert(0, exponent - digits.size() + 1, '0');
  if (exponent > 0) digits.insert(digits.size() - exponent, ".");
  return (minor < 0 ? "-" : "") + digits;
}

std::string formatMoney(std::int64_t minor, std::string_view currency) {
  return formatMinorUnits(minor, currency) + " " + upper(currency);
}

}  // namespace qrfleet
