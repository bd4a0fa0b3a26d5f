#pragma once
// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum of Kafka RecordBatch v2.
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time), else a
// slicing-by-8 table.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rtpipe::embedded {

/// Continues a CRC-32C: Crc32c(Crc32c(0, a), b) == Crc32c(0, a + b). Start with crc = 0.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);
inline uint32_t Crc32c(std::string_view data) { return Crc32c(0, data.data(), data.size()); }

/// The portable implementation (exposed for tests that compare both paths).
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size);
/// True when Crc32c uses the hardware instruction.
bool Crc32cIsHardware();

}  // namespace rtpipe::embedded
