#include "models/scenario/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

namespace kubesim::scenario_detail {
namespace {

bool is_int_text(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_number_text(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool digit = false;
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    ++i, digit = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i, digit = true;
  }
  if (!digit) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
      ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

bool is_bool_text(std::string_view s) {
  return s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE";
}

bool plain(const YAML::Node& n) {
  return n.Tag() == "?";
}

}  // namespace

std::string join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

std::string index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  for (const std::string& c : candidates) {
    size_t d = edit_distance(word, c);
    // A prefix ("bin-pack" for "bin-packing") is as good as a near miss.
    std::string lw = lower(word), lc = lower(c);
    if (lw.size() >= 3 && d >= best_distance && (lc.rfind(lw, 0) == 0 || lw.rfind(lc, 0) == 0)) {
      d = best_distance - 1;
    }
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::optional<std::vector<YAML::Node>> read_documents(YamlReader& r) {
  std::ifstream in(r.file(), std::ios::binary);
  if (!in) {
    r.error_file("cannot open file");
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    std::vector<YAML::Node> docs;
    for (const YAML::Node& d : YAML::LoadAll(text.str())) {
      if (d.IsDefined() && !d.IsNull()) docs.push_back(d);
    }
    return docs;
  } catch (const YAML::Exception& e) {
    Origin o{r.file(), e.mark.line + 1, e.mark.column + 1, ""};
    if (e.mark.is_null()) o.line = o.column = 0;
    r.error_at(o, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a sequence";
  const std::string& s = n.Scalar();
  if (plain(n) && is_bool_text(s)) return "a boolean (" + s + ")";
  if (plain(n) && is_number_text(s)) return "a number (" + s + ")";
  return "the string \"" + s + "\"";
}

Origin YamlReader::origin(const YAML::Node& at, const std::string& path) const {
  Origin o{file_, 0, 0, path};
  if (at.IsDefined()) {
    YAML::Mark m = at.Mark();
    if (m.line >= 0) {
      o.line = m.line + 1;
      o.column = m.column + 1;
    }
  }
  return o;
}

void YamlReader::error(const YAML::Node& at, const std::string& path, std::string message) {
  error_at(origin(at, path), std::move(message));
}

void YamlReader::error_at(const Origin& at, std::string message) {
  errors_->push_back(LoadError{at.file, at.line, at.column, at.path, std::move(message)});
}

void YamlReader::error_file(std::string message) {
  errors_->push_back(LoadError{file_, 0, 0, "", std::move(message)});
}

void YamlReader::note(const YAML::Node& at, const std::string& path, std::string message) {
  Origin o = origin(at, path);
  ignored_->push_back(LoadError{o.file, o.line, o.column, o.path, std::move(message)});
}

bool YamlReader::expect_map(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  error(node, path, "expected a mapping, got " + describe(node));
  return false;
}

bool YamlReader::expect_seq(const YAML::Node& node, const std::string& path) {
  if (node.IsSequence()) return true;
  error(node, path, "expected a sequence, got " + describe(node));
  return false;
}

bool YamlReader::check_keys(const YAML::Node& node, const std::string& path,
                            std::initializer_list<std::string_view> known,
                            std::initializer_list<std::string_view> ignored) {
  if (!expect_map(node, path)) return false;
  std::vector<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // a copy: it-> is a proxy temporary
    if (!key.IsScalar()) {
      error(key, path, "keys must be strings");
      continue;
    }
    const std::string& k = key.Scalar();
    std::string key_path = join(path, k);
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
      error(key, key_path, "duplicate key \"" + k + "\"");
      continue;
    }
    seen.push_back(k);
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    if (std::find(ignored.begin(), ignored.end(), k) != ignored.end()) {
      note(key, key_path, "ignored: kubesim does not model this field");
      continue;
    }
    std::vector<std::string> candidates(known.begin(), known.end());
    candidates.insert(candidates.end(), ignored.begin(), ignored.end());
    std::string hint = closest(k, candidates);
    std::string message = "unknown key \"" + k + "\"";
    if (!hint.empty()) {
      message += "; did you mean \"" + hint + "\"?";
      suggested_.emplace(node.Mark().line, node.Mark().column, hint);
    } else if (known.size() > 0) {
      message += "; known keys:";
      const char* sep = " ";
      for (std::string_view c : known) {
        message += sep;
        message += c;
        sep = ", ";
      }
    }
    error(key, key_path, std::move(message));
  }
  return true;
}

YAML::Node YamlReader::child(const YAML::Node& map, std::string_view key) {
  if (!map.IsDefined() || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool YamlReader::has(const YAML::Node& map, std::string_view key) {
  YAML::Node n = child(map, key);
  return n.IsDefined() && !n.IsNull();
}

bool YamlReader::require(const YAML::Node& map, const std::string& path, std::string_view key) {
  if (has(map, key)) return true;
  if (map.IsDefined() && suggested_.count({map.Mark().line, map.Mark().column, std::string(key)})) {
    return false;
  }
  error(map, path, "missing required key \"" + std::string(key) + "\"");
  return false;
}

std::optional<std::string> YamlReader::as_string(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    error(n, path, "expected a string, got " + describe(n));
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  // Kubernetes decodes YAML through JSON: an unquoted 1 or true is not a string.
  if (plain(n) && (is_number_text(s) || is_bool_text(s))) {
    error(n, path, "expected a string, got " + describe(n) + "; quote it: \"" + s + "\"");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> YamlReader::as_int64(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar() || !plain(n) || !is_int_text(n.Scalar())) {
    error(n, path, "expected an integer, got " + describe(n));
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  size_t start = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  bool negative = s[0] == '-';
  uint64_t v = 0;
  const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
  for (size_t i = start; i < s.size(); ++i) {
    uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - digit) / 10) {
      error(n, path, "integer " + s + " is out of range");
      return std::nullopt;
    }
    v = v * 10 + digit;
  }
  if (!negative && v == limit) {
    error(n, path, "integer " + s + " is out of range");
    return std::nullopt;
  }
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

std::optional<int32_t> YamlReader::as_int32(const YAML::Node& n, const std::string& path) {
  auto v = as_int64(n, path);
  if (!v) return std::nullopt;
  if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
    error(n, path, "integer " + std::to_string(*v) + " is out of range (32 bits)");
    return std::nullopt;
  }
  return static_cast<int32_t>(*v);
}

std::optional<bool> YamlReader::as_bool(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar() || !plain(n) || !is_bool_text(n.Scalar())) {
    error(n, path, "expected true or false, got " + describe(n));
    return std::nullopt;
  }
  return n.Scalar()[0] == 't' || n.Scalar()[0] == 'T';
}

std::optional<Quantity> YamlReader::as_quantity(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    error(n, path, "expected a quantity, got " + describe(n));
    return std::nullopt;
  }
  Expected<Quantity> q = parse_quantity(n.Scalar());
  if (!q) {
    error(n, path, q.error().message);
    return std::nullopt;
  }
  return *q;
}

std::optional<Duration> YamlReader::as_duration(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    error(n, path, "expected a duration, got " + describe(n));
    return std::nullopt;
  }
  Expected<Duration> d = parse_duration(n.Scalar());
  if (!d) {
    error(n, path, d.error().message);
    return std::nullopt;
  }
  return *d;
}

std::optional<Labels> YamlReader::as_string_map(const YAML::Node& n, const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!expect_map(n, path)) return std::nullopt;
  Labels out;
  bool ok = true;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(it->first, path, "keys must be strings");
      ok = false;
      continue;
    }
    std::string key = it->first.Scalar();
    std::string key_path = join(path, key);
    if (out.count(key)) {
      error(it->first, key_path, "duplicate key \"" + key + "\"");
      ok = false;
      continue;
    }
    if (it->second.IsNull()) {
      out[key] = "";
      continue;
    }
    auto v = as_string(it->second, key_path);
    if (!v) {
      ok = false;
      continue;
    }
    out[key] = *v;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> YamlReader::as_string_list(const YAML::Node& n,
                                                                   const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!expect_seq(n, path)) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    auto v = as_string(n[i], index(path, i));
    if (v) {
      out.push_back(*v);
    } else {
      if (n[i].IsNull()) error(n[i], index(path, i), "expected a string, got nothing");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

#define KUBESIM_GETTER(type, name, reader)                                             \
  std::optional<type> YamlReader::name(const YAML::Node& map, const std::string& path, \
                                       std::string_view key) {                         \
    return reader(child(map, key), join(path, key));                                   \
  }
KUBESIM_GETTER(std::string, get_string, as_string)
KUBESIM_GETTER(int64_t, get_int64, as_int64)
KUBESIM_GETTER(int32_t, get_int32, as_int32)
KUBESIM_GETTER(bool, get_bool, as_bool)
KUBESIM_GETTER(Quantity, get_quantity, as_quantity)
KUBESIM_GETTER(Duration, get_duration, as_duration)
KUBESIM_GETTER(Labels, get_string_map, as_string_map)
KUBESIM_GETTER(std::vector<std::string>, get_string_list, as_string_list)
#undef KUBESIM_GETTER

std::optional<std::string> YamlReader::get_enum(const YAML::Node& map, const std::string& path,
                                                std::string_view key,
                                                std::initializer_list<std::string_view> allowed) {
  YAML::Node n = child(map, key);
  auto v = as_string(n, join(path, key));
  if (!v) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return v;
  std::string message = "unsupported value \"" + *v + "\"; expected one of:";
  const char* sep = " ";
  for (std::string_view a : allowed) {
    message += sep;
    message += a;
    sep = ", ";
  }
  std::string hint = closest(*v, std::vector<std::string>(allowed.begin(), allowed.end()));
  if (!hint.empty()) message += " (did you mean \"" + hint + "\"?)";
  error(n, join(path, key), std::move(message));
  return std::nullopt;
}

}  // namespace kubesim::scenario_detail
