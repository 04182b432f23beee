# Helpers that keep each folder's CMakeLists.txt to a line or two.

# -Wno-dangling-pointer: g++ 12 false positives inside yaml-cpp 0.7 headers
set(DSMATH_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-dangling-pointer)

# dsmath_library(NAME DEPS targets...): lib/NAME/*.cpp -> static library dsmath_NAME
# (alias dsmath::NAME). Headers are included as "NAME/file.hpp" from lib/.
function(dsmath_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;EXCLUDE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp ${CMAKE_CURRENT_SOURCE_DIR}/*/*.cpp)
  foreach(ex IN LISTS ARG_EXCLUDE)
    list(FILTER sources EXCLUDE REGEX "${ex}")
  endforeach()
  add_library(dsmath_${name} STATIC ${sources})
  add_library(dsmath::${name} ALIAS dsmath_${name})
  target_include_directories(dsmath_${name} PUBLIC ${PROJECT_SOURCE_DIR}/lib)
  target_compile_options(dsmath_${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${DSMATH_WARNINGS}>)
  if(DSMATH_NATIVE)
    target_compile_options(dsmath_${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
  endif()
  target_link_libraries(dsmath_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# dsmath_test(NAME DEPS targets... [LABELS label] [COST seconds]): tests/NAME/*.cpp -> executable
# test_NAME, cases registered with CTest one by one (catch_discover_tests) and labelled. COST is
# each case's expected run time: ctest -j starts the costliest first, so a long case (the reduced
# quickstart, minutes) runs beside the short ones instead of alone after them. A clean clone has
# no timings of earlier runs (Testing/Temporary/CTestCostData.txt) to schedule by.
function(dsmath_test name)
  cmake_parse_arguments(ARG "" "COST" "DEPS;LABELS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_executable(test_${name} ${sources})
  target_link_libraries(test_${name} PRIVATE ${ARG_DEPS} Catch2::Catch2WithMain)
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  # Test code stays at the build's optimization level: at -O0 (half the compile time) the inline
  # functions of lib/ headers compiled into a test round differently (no FMA contraction) from
  # the copies in lib/, and bit-exact comparisons between the two fail.
  target_compile_options(test_${name} PRIVATE ${DSMATH_WARNINGS})
  target_compile_definitions(test_${name} PRIVATE
      DSMATH_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      DSMATH_BINARY="$<TARGET_FILE:dsmath>")
  # One label per suite (Catch's discovery flattens lists): the most specific of LABELS, else
  # unit. Select with ctest -L gpu, or leave tiers out with ctest -LE 'gpu|mpi'.
  set(label unit)
  if(ARG_LABELS)
    list(GET ARG_LABELS 0 label)
  endif()
  # A case that prints "skipped: missing reference" (tests/reference.hpp) or "skipped: no GPU"
  # (tests/gpu/gpu_test_util.hpp) is reported as skipped, not passed,
  # and counted by scripts/ctest_summary.py.
  set(cost 0)
  if(ARG_COST)
    set(cost ${ARG_COST})
  endif()
  catch_discover_tests(test_${name}
      TEST_PREFIX "${name}:"
      PROPERTIES LABELS ${label} COST ${cost} SKIP_REGULAR_EXPRESSION "skipped: (missing reference|no GPU)"
      EXTRA_ARGS --warn NoAssertions)
endfunction()
