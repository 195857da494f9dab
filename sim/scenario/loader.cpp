// load_scenario: the file checked as text, parsed by toml++, then read section by section (one
// file of sim/scenario each, against the declarations in schema.cpp).
#include "sim/scenario/loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "sim/scenario/reader.hpp"
#include "sim/scenario/variant.hpp"

namespace refsim {
namespace {

/// The first byte that is not valid UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// Keys nested deeper than this (a.b.c… = 1, [a.b.c…]) are refused before parsing: toml++ parses
/// dotted keys recursively and overflows the stack on tens of thousands of levels. Scenarios
/// nest a few levels at most.
constexpr std::size_t kMaxKeyDepth = 64;

/// The offset of the first '.' that makes a dotted key (or table header) deeper than
/// kMaxKeyDepth, or npos. Dots inside strings and comments do not count; the count starts again
/// at each line, '=', ',', '{' and '[' (numbers hold one dot at most between those).
std::size_t too_deep_key_at(std::string_view s) {
  std::size_t dots = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '#') {
      i = std::min(s.find('\n', i), s.size()) - 1;  // the comment ends at the line's end
    } else if (c == '"' || c == '\'') {
      const bool multi = s.compare(i, 3, std::string(3, c)) == 0;
      const std::string_view close = multi ? std::string_view(c == '"' ? "\"\"\"" : "\'\'\'") : s.substr(i, 1);
      std::size_t j = i + (multi ? 3 : 1);
      while (j < s.size() && s.compare(j, close.size(), close) != 0) {
        if (c == '"' && s[j] == '\\') {  // an escape: skip it and the escaped character (if any:
          j += 2;                        // a backslash may end the text, as a fuzzer found)
          continue;
        }
        if (!multi && s[j] == '\n') break;  // an unclosed one-line string: the parser will say so
        ++j;
      }
      i = std::min(j + close.size(), s.size()) - 1;
    } else if (c == '.') {
      if (++dots > kMaxKeyDepth) return i;
    } else if (c == '\n' || c == '=' || c == ',' || c == '{' || c == '[') {
      dots = 0;
    }
  }
  return std::string_view::npos;
}

SourceLocation location_of_offset(const std::string& file, std::string_view text, std::size_t offset) {
  std::uint32_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {file, line, col};
}

}  // namespace

namespace detail {

toml::table parse_toml(std::string_view text, const std::string& file) {
  const Reader r(file);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    r.fail(SourceLocation{file, 1, 1},
           "the file is empty; expected a scenario with [scenario], [run], [[agency]] and [[source]] tables");
  }
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    r.fail(
        location_of_offset(file, text, bad), "the file is not UTF-8 text (invalid byte 0x" + [&] {
          char b[3];
          std::snprintf(b, sizeof b, "%02X", static_cast<unsigned char>(text[bad]));
          return std::string(b);
        }() + "); scenarios are TOML files in UTF-8");
  }
  if (const auto deep = too_deep_key_at(text); deep != std::string_view::npos) {
    r.fail(location_of_offset(file, text, deep),
           "a key nested more than " + std::to_string(kMaxKeyDepth) + " levels deep; scenarios nest a few levels");
  }
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ScenarioError(SourceLocation{file, b.line, b.column}, "TOML syntax error: " + std::string(e.description()));
  }
}

Scenario read_scenario(const toml::table& root, const std::string& file) {
  const Reader r(file);
  Scenario s;
  s.file = file;
  const TableView top(r, root, "the scenario file", schema::section("file"));
  top.reject_unknown();
  read_settings(top, s);
  IdMap ids;  // agencies and sources share one namespace
  read_agencies(top, s, ids);
  collect_nationalities(top, s);
  read_cohorts(top, s);
  build_schema(s);
  read_profiles(top, s);
  read_initial_profiles(top, s);
  read_agency_links(top, s);
  read_sources(top, s, ids);
  read_referrals(top, s);
  read_deadlines(top, s);
  read_changes(top, s);
  read_interventions(top, s);
  return s;
}

std::string read_scenario_file(const std::filesystem::path& path, std::string_view what) {
  const std::string file = path.string();
  const auto fail = [&](const std::string& why) { throw ScenarioError(SourceLocation{file, 0, 0}, why); };
  const std::string expected = what == "scenario file" ? "a scenario file (.toml)" : "an " + std::string(what);
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever; it is refused below
  // like every file that is not a regular one (/dev/zero would be read without end).
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + std::string(what) + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("cannot read " + std::string(what) + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail("is a directory; expected " + expected);
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISFIFO(st.st_mode)   ? "a pipe (FIFO)"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    fail(std::string("is ") + kind + "; expected " + expected + ", a regular file");
  }
  const auto too_big = [&] {
    fail("is larger than " + std::to_string(kMaxScenarioBytes >> 20) + " MiB; " + std::string(what) +
         "s are read up to that size (the largest scenario in scenarios/ is well under 1 MiB)");
  };
  if (static_cast<std::uint64_t>(st.st_size) > kMaxScenarioBytes) too_big();
  // Read what fstat announced, and one byte more to see a file that grew meanwhile, never more
  // than the limit.
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (text.size() > kMaxScenarioBytes) too_big();
      text.resize(std::min<std::size_t>(text.size() * 2, kMaxScenarioBytes + 1));
    }
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot read " + std::string(what) + ": " + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return text;
}

}  // namespace detail

Scenario load_scenario_text(std::string_view text, const std::string& file) {
  std::vector<std::filesystem::path> chain;
  return detail::read_scenario(detail::resolve_variant(detail::parse_toml(text, file), file, chain), file);
}

Scenario load_scenario(const std::filesystem::path& path, const std::vector<std::string>& sets) {
  return detail::read_scenario(detail::load_table(path, sets), path.string());
}

Scenario load_scenario(const std::filesystem::path& path) { return load_scenario(path, {}); }

}  // namespace refsim
