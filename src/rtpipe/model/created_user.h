#pragma once
// A row of the analytics table `created_users`: the brief's columns (seed-origin §1.2) plus `dob`,
// after cleansing, and the enrichment columns computed at the record's event time.

#include <cstdint>
#include <string>

#include "rtpipe/base/time.h"

namespace rtpipe {

struct CreatedUser {
  // The brief's columns (id is the natural key, login.uuid), cleansed.
  std::string id;
  std::string first_name;
  std::string last_name;
  std::string gender;     // lower case
  std::string address;    // whitespace collapsed
  std::string post_code;  // always text
  std::string email;      // lower case
  std::string username;
  std::string dob;              // ISO-8601 as the API writes it
  std::string registered_date;  // ISO-8601
  std::string phone;            // digits only (a leading '+' kept)
  std::string picture;          // medium picture URL
  // Enrichment.
  int age = 0;               // whole years between dob and the event time
  std::string age_band;      // "<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"
  std::string email_domain;  // lower case, after '@'
  std::string country;       // last component of the address
  std::string nat;           // nationality code for the country ("" when unknown)
  int64_t tenure_days = 0;   // whole days between registration and the event time
  Timestamp event_time{};

  friend bool operator==(const CreatedUser&, const CreatedUser&) = default;
};

}  // namespace rtpipe
