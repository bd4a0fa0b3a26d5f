#pragma once
// Per-nationality formats of the v1.4 API: phone and cell numbers, the national id (name and
// value; "" and null for IR, NZ, TR, UA), the postcode (a JSON string for CA, GB, NL and NO, with
// NO's leading zeros kept; a number elsewhere), and the title (CH uses French titles).

#include <string_view>

#include "rtpipe/base/time.h"
#include "rtpipe/model/user.h"
#include "rtpipe/source/rng.h"

namespace rtpipe::gen {

/// The title for a user of this nationality and gender ("Mr", "Miss", "Monsieur", ...).
std::string_view DrawTitle(std::string_view nat, bool male, Rng& rng);

/// Sets location.postcode and postcode_is_number.
void DrawPostcode(std::string_view nat, Rng& rng, User& u);

/// Sets phone, cell and id. Uses u.gender, u.name.last and the date of birth `dob`, which some ids
/// encode (DE, DK, FI, FR, IE, NO).
void DrawPhonesAndId(std::string_view nat, Timestamp dob, Rng& rng, User& u);

}  // namespace rtpipe::gen
