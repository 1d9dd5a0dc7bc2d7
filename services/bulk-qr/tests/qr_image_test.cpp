// Every image is read back by a real decoder: zbarimg (zbar-tools) for PNG,
// and for SVG after rsvg-convert (librsvg2-bin) rasterised it.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "qr_image.h"
#include "zip_archive.h"

using namespace qrfleet;
using namespace qrfleet::bulkqr;

namespace {
std::string run(const std::string& command) {
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  REQUIRE_MESSAGE(pipe, "cannot run " << command);
  std::string out;
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0;) out.append(buf.data(), n);
  return out;
}

void write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// What zbarimg reads from the image (without the "QR-Code:" prefix): its raw
// bytes with -Sbinary, else the text as a standard reader shows it (zbar
// converts what the code says, or what it guesses, to UTF-8).
std::string decoded(const std::filesystem::path& image, bool rawBytes = true) {
  REQUIRE_MESSAGE(run("command -v zbarimg") != "", "zbarimg is missing: install zbar-tools");
  auto out = run("zbarimg --quiet --raw " + std::string(rawBytes ? "-Sbinary " : "") + "'" + image.string() +
                 "' 2>/dev/null");
  while (!out.empty() && out.back() == '\n') out.pop_back();  // zbarimg ends each symbol with a newline
  return out;
}

// 1000 px: a version-40 symbol (177 modules) still gets whole pixels per module.
std::string pngFileOf(const TempDirectory& dir, const std::string& name, const std::string& data, char level) {
  static const events::QrOptions large = [] {
    events::QrOptions o;
    o.sizePx = 1000;
    return o;
  }();
  auto file = dir.path() / (name + ".png");
  write(file, renderPng(encodeQr(data, level), large));
  return file.string();
}
}  // namespace

TEST_CASE("PNG and SVG codes decode back to their data, at every level and with colours") {
  TempDirectory dir;
  REQUIRE_MESSAGE(run("command -v rsvg-convert") != "", "rsvg-convert is missing: install librsvg2-bin");
  const std::vector<std::string> inputs = {"https://qr.example/c/8f3a2b1c-table-12?utm=bulk",
                                           "HELLO WORLD 12345", "caf\xC3\xA9 \xE2\x82\xAC",
                                           std::string(900, 'a') + "end"};
  int n = 0;
  for (char level : {'L', 'M', 'Q', 'H'})
    for (const auto& data : inputs) {
      CAPTURE(level);
      CAPTURE(data.substr(0, 40));
      events::QrOptions o;
      o.errorCorrection = level;
      o.sizePx = n % 2 ? 300 : 517;  // any size, not only multiples of the module count
      o.margin = n % 3;
      if (n % 4 == 1) {
        o.foreground = "#1a237e";
        o.background = "#fff8e1";
      }
      auto qr = encodeQr(data, level);
      auto png = renderPng(qr, o);
      CHECK(png.substr(1, 3) == "PNG");
      CHECK(png == renderPng(qr, o));  // deterministic bytes
      auto pngFile = dir.path() / ("c" + std::to_string(n) + ".png");
      write(pngFile, png);
      CHECK(decoded(pngFile) == data);
      auto svgFile = dir.path() / ("c" + std::to_string(n) + ".svg");
      write(svgFile, renderSvg(qr, o));
      auto rasterFile = dir.path() / ("c" + std::to_string(n) + "-svg.png");
      run("rsvg-convert -w 600 -h 600 -b white -o '" + rasterFile.string() + "' '" + svgFile.string() + "' 2>&1");
      CHECK(decoded(rasterFile) == data);
      ++n;
    }
}

TEST_CASE("text that is not plain ASCII reads back as the same text in a standard reader (the UTF-8 ECI)") {
  TempDirectory dir;
  // Short, mostly-ASCII texts with a few accented letters are what readers
  // guess to be Shift-JIS when a code does not say it holds UTF-8.
  const std::vector<std::string> texts = {
      "Caf\xC3\xA9",
      "FN:J\xC3\xB6hn Doe",
      "Total 42,00 \xE2\x82\xAC",
      "BEGIN:VCARD\nVERSION:3.0\nN:M\xC3\xBCller;J\xC3\xBCrgen\nFN:J\xC3\xBCrgen M\xC3\xBCller\nORG:Stra\xC3\x9F"
      "enbau GmbH\nTEL:+49 30 1234567\nEMAIL:j.mueller@example.de\nEND:VCARD",
      "WIFI:T:WPA;S:Caf\xC3\xA9 G\xC3\xA4ste;P:s\xC3\xBC\xC3\x9F-123;;",
      "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80",  // Привет, мир
      "\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C \xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF",
      "Order #1234 \xF0\x9F\x8E\x89\xF0\x9F\x8D\x95 thanks!",
      "https://qr.example/m/na\xC3\xAFve?city=Z\xC3\xBCrich&utm=print"};
  int n = 0;
  for (char level : {'L', 'H'})
    for (const auto& text : texts) {
      CAPTURE(level);
      CAPTURE(text);
      auto file = pngFileOf(dir, "t" + std::to_string(n++), text, level);
      CHECK(decoded(file, false) == text);
      CHECK(decoded(file) == text);  // the bytes, as before
    }
}

TEST_CASE("rows at each level's documented limit are generated and read back, whatever their shape") {
  TempDirectory dir;
  auto repeat = [](const std::string& unit, std::size_t size) {
    std::string s;
    while (s.size() < size) s += unit;
    s.resize(size);
    return s;
  };
  int n = 0;
  for (char level : {'L', 'M', 'Q', 'H'}) {
    const std::size_t ascii = qrByteCapacity("x", level);
    const std::size_t text = qrByteCapacity("\xC3\xA9", level);
    CHECK(text == ascii - 1);
    const std::vector<std::string> rows = {
        // a tracking URL: long query strings of digits and letters
        repeat("https://track.example/c/8f3a2b1c?utm_source=print&campaign=2024&id=123456789&ref=AB12CD34&", ascii),
        repeat("0123456789", ascii),  // digits
        repeat("ab123456", ascii),    // libqrencode's mixed split is longest for this
        repeat("ORDER 2024-", ascii), // alphanumeric runs
        repeat("caf\xC3\xA9 ", text - 1) + "x"};
    for (const auto& row : rows) {
      CAPTURE(level);
      CAPTURE(row.substr(0, 24));
      CHECK(row.size() == (row == rows.back() ? text : ascii));
      std::string file;
      REQUIRE_NOTHROW(file = pngFileOf(dir, "limit" + std::to_string(n++), row, level));
      CHECK(decoded(file, false) == row);
      if (!needsUtf8Eci(row)) CHECK(encodeQr(row, level).width <= 17 + 4 * qrEightBitVersion(row.size(), level));
    }
    CHECK_THROWS_AS(encodeQr(std::string(ascii + 1, 'x'), level), QrEncodeError);
    CHECK_THROWS_AS(encodeQr(repeat("caf\xC3\xA9 ", text + 1), level), QrEncodeError);
  }
}

TEST_CASE("the 8-bit segment's version table agrees with libqrencode at every version and level") {
  for (char level : {'L', 'M', 'Q', 'H'}) {
    std::size_t size = 1;  // lowercase letters are one 8-bit segment in the mixed split too
    for (int version = 1; version <= 40; ++version) {
      while (qrEightBitVersion(size + 1, level) == version) ++size;
      CAPTURE(level);
      CAPTURE(version);
      CHECK(qrEightBitVersion(size, level) == version);
      CHECK(encodeQr(std::string(size, 'a'), level).width == 17 + 4 * version);
      if (version < 40) CHECK(encodeQr(std::string(size + 1, 'a'), level).width == 17 + 4 * (version + 1));
      else CHECK(size == qrByteCapacity("a", level));
      ++size;
    }
    CHECK(qrEightBitVersion(size, level) == 0);
  }
}

TEST_CASE("plain ASCII takes the smaller symbol of the mixed split and one 8-bit segment") {
  // libqrencode's split of letter-digit runs switches modes often enough to
  // cost more than it saves at these lengths.
  std::string row;
  while (row.size() < 1400) row += "ab123456";
  for (char level : {'L', 'M', 'Q'}) {
    CAPTURE(level);
    CHECK(encodeQr(row, level).width <= 17 + 4 * qrEightBitVersion(row.size(), level));
  }
  CHECK(encodeQr(std::string(400, '7'), 'M').width < 17 + 4 * qrEightBitVersion(400, 'M'));  // digits: mixed
}

TEST_CASE("a PNG is the requested size, 1-bit, in two palette colours") {
  events::QrOptions o;
  o.sizePx = 300;
  auto png = renderPng(encodeQr("https://qr.example/x", 'M'), o);
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  CHECK(be32(16) == 300);  // IHDR width
  CHECK(be32(20) == 300);
  CHECK(png[24] == 1);     // bit depth
  CHECK(png[25] == 3);     // palette
}

TEST_CASE("an SVG draws runs, not modules, and data too long for its level is refused") {
  auto qr = encodeQr("https://qr.example/runs", 'L');
  auto svg = renderSvg(qr, {});
  CHECK(svg.find("<rect") == svg.rfind("<rect"));  // one rect: the background
  CHECK(svg.find("<path") != std::string::npos);
  CHECK_THROWS_AS(encodeQr(std::string(1300, 'x'), 'H'), QrEncodeError);
  CHECK_THROWS_AS(encodeQr(std::string_view("a\0b", 3), 'M'), QrEncodeError);
}

TEST_CASE("ZIP parts merge into one archive with every entry, the same bytes every time") {
  TempDirectory dir;
  for (int p = 0; p < 2; ++p) {
    ZipArchive part(dir.path() / ("part" + std::to_string(p) + ".zip"), 1764583200);
    part.add("a" + std::to_string(p) + ".png", "png bytes " + std::to_string(p));
    part.add("b" + std::to_string(p) + ".svg", "<svg/>");
    part.close();
  }
  ZipArchive empty(dir.path() / "empty.zip", 1764583200);
  empty.close();
  auto merge = [&](const std::string& name) {
    ZipArchive all(dir.path() / name, 1764583200);
    all.addEntriesOf(dir.path() / "part0.zip");
    all.addEntriesOf(dir.path() / "empty.zip");
    all.addEntriesOf(dir.path() / "part1.zip");
    all.add("validation-report.csv", "row,reason\r\n");
    all.close();
  };
  merge("one.zip");
  merge("two.zip");
  CHECK(zipEntryNames(dir.path() / "one.zip") ==
        std::vector<std::string>{"a0.png", "b0.svg", "a1.png", "b1.svg", "validation-report.csv"});
  CHECK(run("cmp '" + (dir.path() / "one.zip").string() + "' '" + (dir.path() / "two.zip").string() + "' && echo same") ==
        "same\n");
  CHECK(run("unzip -p '" + (dir.path() / "one.zip").string() + "' a1.png") == "png bytes 1");
}
