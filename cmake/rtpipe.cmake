# Compiler settings and the helpers every module uses.

add_library(rtpipe_options INTERFACE)
target_compile_options(rtpipe_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # g++ 12 reports false positives for these inside libstdc++ and fmt at -O2.
  target_compile_options(rtpipe_options INTERFACE -Wno-maybe-uninitialized -Wno-restrict -Wno-array-bounds
    -Wno-stringop-overflow -Wno-null-dereference)
endif()
if(RTPIPE_WERROR)
  target_compile_options(rtpipe_options INTERFACE -Werror)
endif()
target_include_directories(rtpipe_options INTERFACE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(rtpipe_options INTERFACE RTPIPE_VERSION="${PROJECT_VERSION}")

# Instruction set. simdjson's On-Demand API (the user and message parsers in model/) is compiled
# for the build's target only, with no runtime dispatch: on baseline x86-64 it is the scalar
# fallback (user parsing ~25% slower). RTPIPE_ISA=haswell (AVX2, BMI, PCLMUL, LZCNT: x86-64 servers since
# 2013; no FMA, so floating-point results do not change) is the default when the build machine has
# those; RTPIPE_ISA=baseline builds a binary that runs on any x86-64.
set(_rtpipe_default_isa baseline)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND EXISTS /proc/cpuinfo)
  file(STRINGS /proc/cpuinfo _rtpipe_cpu_flags LIMIT_COUNT 1 REGEX "^flags")
  if(_rtpipe_cpu_flags MATCHES " avx2( |$)" AND _rtpipe_cpu_flags MATCHES " bmi1( |$)"
     AND _rtpipe_cpu_flags MATCHES " pclmulqdq( |$)" AND _rtpipe_cpu_flags MATCHES " abm( |$)")
    set(_rtpipe_default_isa haswell)
  endif()
endif()
set(RTPIPE_ISA ${_rtpipe_default_isa} CACHE STRING "Instruction set: 'haswell' (AVX2, BMI, PCLMUL, LZCNT) or 'baseline'")
if(RTPIPE_ISA STREQUAL "haswell")
  add_compile_options(-mavx2 -mbmi -mpclmul -mlzcnt)
elseif(NOT RTPIPE_ISA STREQUAL "baseline")
  message(FATAL_ERROR "RTPIPE_ISA must be 'haswell' or 'baseline', not '${RTPIPE_ISA}'")
endif()
message(STATUS "rtpipe: instruction set ${RTPIPE_ISA}")

if(RTPIPE_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(RTPIPE_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT RTPIPE_SANITIZE STREQUAL "")
  message(FATAL_ERROR "RTPIPE_SANITIZE must be '', 'address' or 'thread', not '${RTPIPE_SANITIZE}'")
endif()

# rtpipe_module(<name> SOURCES ... [DEPS ...] [TESTS ...] [TEST_DEPS ...])
# Builds the static library rtpipe_<name> and, when TESTS are given, the unit-test binary
# rtpipe_<name>_test whose GoogleTest cases are registered with CTest under the label "unit".
function(rtpipe_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;TESTS;TEST_DEPS" ${ARGN})
  add_library(rtpipe_${name} STATIC ${M_SOURCES})
  target_link_libraries(rtpipe_${name} PUBLIC rtpipe_options ${M_DEPS})
  if(M_TESTS AND RTPIPE_BUILD_TESTS)
    add_executable(rtpipe_${name}_test ${M_TESTS})
    target_link_libraries(rtpipe_${name}_test PRIVATE rtpipe_${name} ${M_TEST_DEPS} GTest::gmock GTest::gtest_main)
    gtest_discover_tests(rtpipe_${name}_test
      TEST_PREFIX "${name}."
      PROPERTIES LABELS unit ENVIRONMENT "RTPIPE_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
