# Every dependency comes from a Debian package (scripts/setup.sh installs them) or the CUDA
# toolkit. Package and target names: ../shared/TOOLCHAIN.md section 1.

find_package(yaml-cpp REQUIRED)          # target yaml-cpp (0.7: no namespace)
find_package(CLI11 REQUIRED)             # CLI11::CLI11
find_package(nlohmann_json 3 REQUIRED)   # nlohmann_json::nlohmann_json
find_package(fmt REQUIRED)               # fmt::fmt
find_package(ZLIB REQUIRED)              # ZLIB::ZLIB
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# OpenBLAS: Debian's OpenBLASConfig.cmake hard-codes /usr and find_package(BLAS) gives no
# include dir, so look for the header and library directly (works for an extracted prefix too).
# The OpenMP build comes first: its GEMMs share libgomp's thread pool with our OpenMP loops,
# where the pthread build's own pool spins against them (about a third of CPU training time
# lost to sched_yield on 2 cores; docs/benchmarks.md). The library's directory lands in the
# binaries' RPATH, so the choice holds whatever Debian's alternatives point libopenblas.so.0 at.
find_path(OPENBLAS_INCLUDE_DIR cblas.h
          PATH_SUFFIXES x86_64-linux-gnu/openblas-openmp x86_64-linux-gnu/openblas-pthread x86_64-linux-gnu openblas REQUIRED)
find_library(OPENBLAS_LIBRARY NAMES openblas PATH_SUFFIXES openblas-openmp openblas-pthread REQUIRED)
if(OPENBLAS_LIBRARY MATCHES "openblas-pthread")
  message(STATUS "dsmath: using the pthread OpenBLAS; install libopenblas-openmp-dev for faster CPU training")
endif()
add_library(dsmath::openblas UNKNOWN IMPORTED)
set_target_properties(dsmath::openblas PROPERTIES IMPORTED_LOCATION "${OPENBLAS_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${OPENBLAS_INCLUDE_DIR}")

# xxhash: header + shared library, no CMake config.
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY NAMES xxhash REQUIRED)
add_library(dsmath::xxhash UNKNOWN IMPORTED)
set_target_properties(dsmath::xxhash PROPERTIES IMPORTED_LOCATION "${XXHASH_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${XXHASH_INCLUDE_DIR}")

# Optional libraries used by later stages; each is found here once so every folder links the
# same target. They are required when the folder that uses them exists.
find_package(simdjson QUIET)             # simdjson::simdjson
pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
find_path(FASTTEXT_INCLUDE_DIR fasttext/fasttext.h)
find_library(FASTTEXT_LIBRARY NAMES fasttext)
if(FASTTEXT_INCLUDE_DIR AND FASTTEXT_LIBRARY)
  add_library(dsmath::fasttext UNKNOWN IMPORTED)
  set_target_properties(dsmath::fasttext PROPERTIES IMPORTED_LOCATION "${FASTTEXT_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${FASTTEXT_INCLUDE_DIR}")
endif()

set(DSMATH_HAVE_MPI OFF)
if(DSMATH_WITH_MPI)
  find_package(MPI COMPONENTS C)
  if(MPI_C_FOUND)
    set(DSMATH_HAVE_MPI ON)
  else()
    message(STATUS "dsmath: MPI not found; building without the MPI communicator")
  endif()
endif()

if(DSMATH_BUILD_TESTS)
  find_package(Catch2 2 REQUIRED)        # Catch2::Catch2WithMain (v2, Debian)
  include(Catch)
endif()
