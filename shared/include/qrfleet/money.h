#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace qrfleet {

// Amounts in minor units (cents) and the decimals of their ISO 4217 currency,
// as Stripe counts them: what a settlement report's "12.34" and a receipt's
// "19.99 EUR" are made of. Exact: no floating point anywhere.

// The decimal places a currency has in Stripe's amounts (its minor units):
// 0 for Stripe's zero-decimal currencies (JPY, KRW, ...), 3 for BHD, JOD,
// KWD, OMR, TND, else 2 (ISK, HUF and TWD included: Stripe keeps them as
// two-decimal amounts). `currency` in either case.
int currencyExponent(std::string_view currency);
// "12.34" (major units, optional sign) as minor units of `currency`, exactly:
// no floating point; fewer decimals are padded, more are refused unless zeros.
// Throws std::invalid_argument saying why.
std::int64_t minorUnits(std::string_view decimal, std::string_view currency);

// Minor units back as a decimal of the currency's places ("-12.34").
std::string formatMinorUnits(std::int64_t minor, std::string_view currency);

// "19.99 EUR", "1234 JPY": an amount as a customer reads it.
std::string formatMoney(std::int64_t minor, std::string_view currency);

}  // namespace qrfleet
