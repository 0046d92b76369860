#pragma once
// Typed errors raised by every layer. They carry no HTTP status: the single
// mapping to RFC 9457 problem documents lives in http/problem.cpp.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace helpdesk {

enum class errc {
  bad_request,          // malformed syntax (e.g. JSON that does not parse)
  unauthorized,         // missing or invalid credentials
  forbidden,            // authenticated but the role may not do this
  not_found,            // absent, or outside the caller's brands
  method_not_allowed,
  conflict,             // state conflict (duplicate, lost race)
  precondition_failed,  // stale version
  payload_too_large,
  unsupported_media_type,
  validation,           // well-formed input with invalid fields
  too_many_requests,
  header_too_large,
  request_timeout,
  unavailable,          // database down, pool saturated, draining
  internal,
};

struct field_error {
  std::string pointer;  // RFC 6901 JSON pointer into the request document
  std::string message;
};

class error : public std::runtime_error {
 public:
  error(errc code, std::string detail)
      : std::runtime_error(detail), code_(code), detail_(std::move(detail)) {}

  static error validation(std::vector<field_error> errors,
                          std::string detail = "The request has invalid fields.") {
    error e(errc::validation, std::move(detail));
    e.errors_ = std::move(errors);
    return e;
  }
  static error unavailable(std::string detail, int retry_after_seconds = 1) {
    error e(errc::unavailable, std::move(detail));
    e.retry_after_ = retry_after_seconds;
    return e;
  }
  static error not_found(std::string what = "resource") {
    return error(errc::not_found, "The " + what + " does not exist.");
  }

  errc code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::vector<field_error>& errors() const noexcept { return errors_; }
  std::optional<int> retry_after() const noexcept { return retry_after_; }
  const std::vector<std::pair<std::string, std::string>>& extensions() const noexcept {
    return extensions_;
  }

  error& with_retry_after(int seconds) {
    retry_after_ = seconds;
    return *this;
  }
  // Extra problem members, e.g. the current holder of a claimed ticket.
  error& with_extension(std::string key, std::string value) {
    extensions_.emplace_back(std::move(key), std::move(value));
    return *this;
  }

 private:
  errc code_;
  std::string detail_;
  std::vector<field_error> errors_;
  std::optional<int> retry_after_;
  std::vector<std::pair<std::string, std::string>> extensions_;
};

}  // namespace helpdesk
