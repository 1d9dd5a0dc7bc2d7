#include <doctest/doctest.h>

#include <stdexcept>

#include "qrfleet/money.h"

using namespace qrfleet;

TEST_CASE("amounts: major units to minor units exactly, per the currency's decimals") {
  CHECK(minorUnits("12.34", "eur") == 1234);
  CHECK(minorUnits("-12.34", "EUR") == -1234);
  CHECK(minorUnits("+0.01", "usd") == 1);
  CHECK(minorUnits("12.3", "eur") == 1230);
  CHECK(minorUnits("12", "eur") == 1200);
  CHECK(minorUnits("0.10", "usd") == 10);
  CHECK(minorUnits("1234", "jpy") == 1234);
  CHECK(minorUnits("1234.00", "JPY") == 1234);
  CHECK(minorUnits("-500", "krw") == -500);
  CHECK(minorUnits("5.125", "kwd") == 5125);
  CHECK(minorUnits("5.1", "bhd") == 5100);
  CHECK(minorUnits("10.00", "isk") == 1000);  // two-decimal in Stripe's amounts
  CHECK(minorUnits("92233720368547758.07", "usd") == 9223372036854775807);
  // 0.1 + 0.2 in binary floating point is not 0.3; here it is all integers.
  CHECK(minorUnits("0.29", "usd") + minorUnits("0.01", "usd") == 30);
  for (const char* bad : {"", "-", "12.", ".5", "1,234.00", "12.3.4", "1e3", "abc", " 1", "--1"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(minorUnits(bad, "eur"), std::invalid_argument);
  }
  CHECK_THROWS_AS(minorUnits("12.345", "eur"), std::invalid_argument);
  CHECK_THROWS_AS(minorUnits("12.5", "jpy"), std::invalid_argument);
  CHECK_THROWS_AS(minorUnits("92233720368547758.08", "usd"), std::invalid_argument);
  CHECK(currencyExponent("jpy") == 0);
  CHECK(currencyExponent("XOF") == 0);
  CHECK(currencyExponent("tnd") == 3);
  CHECK(currencyExponent("gbp") == 2);
}

TEST_CASE("minor units back as decimals") {
  CHECK(formatMinorUnits(1234, "EUR") == "12.34");
  CHECK(formatMinorUnits(-5, "EUR") == "-0.05");
  CHECK(formatMinorUnits(0, "USD") == "0.00");
  CHECK(formatMinorUnits(1234, "JPY") == "1234");
  CHECK(formatMinorUnits(5125, "KWD") == "5.125");
}

TEST_CASE("money as a customer reads it") {
  CHECK(formatMoney(1999, "eur") == "19.99 EUR");
  CHECK(formatMoney(1234, "JPY") == "1234 JPY");
  CHECK(formatMoney(5, "KWD") == "0.005 KWD");
}
