# CUDA is enabled when nvcc is found, unless DSMATH_CPU_ONLY. Pitfalls (TOOLCHAIN.md 2):
# architectures must be set before enable_language (else CMake picks 75), cudart must be
# the shared one (cuBLAS/NCCL are shared), and CMake 3.25 does not know CUDA20 for nvcc.
#
# DSMATH_CUDA_EMULATION builds the same cuda/ sources with the host compiler against the
# emulated GPU of cuda/emu (docs/cuda.md): no nvcc, no GPU, no CUDA libraries at run time; the
# toolkit's headers give the declarations. DSMATH_SANITIZE (address,undefined or thread) then
# instruments the kernels and the emulation.
option(DSMATH_CUDA_EMULATION "Build the CUDA backend for the emulated GPU (host compiler) instead of nvcc" OFF)
set(DSMATH_SANITIZE "" CACHE STRING "Sanitizers for the emulated GPU's code: address,undefined or thread")
set(DSMATH_HAVE_CUDA OFF)
set(DSMATH_SANITIZE_FLAGS)
if(DSMATH_SANITIZE)
  set(DSMATH_SANITIZE_FLAGS -fsanitize=${DSMATH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all -O1 -g)
endif()
if(DSMATH_CUDA_EMULATION)
  find_package(CUDAToolkit REQUIRED)  # headers only
  find_package(Boost 1.74 REQUIRED COMPONENTS context)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} $ENV{NCCL_HOME} PATH_SUFFIXES include REQUIRED)
  set(DSMATH_HAVE_CUDA ON)
  set(DSMATH_HAVE_NCCL ON)
elseif(DSMATH_SANITIZE)
  message(FATAL_ERROR "DSMATH_SANITIZE instruments the emulated GPU: configure with -DDSMATH_CUDA_EMULATION=ON")
elseif(NOT DSMATH_CPU_ONLY)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
    enable_language(CUDA)
    if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
      list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
      set(CMAKE_CUDA20_COMPILE_FEATURES cuda_std_20)
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} $ENV{NCCL_HOME} PATH_SUFFIXES include)
    find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 HINTS ${CUDAToolkit_LIBRARY_DIR} $ENV{NCCL_HOME} PATH_SUFFIXES lib lib64)
    if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
      add_library(NCCL::nccl UNKNOWN IMPORTED)
      set_target_properties(NCCL::nccl PROPERTIES IMPORTED_LOCATION "${NCCL_LIBRARY}"
                            INTERFACE_INCLUDE_DIRECTORIES "${NCCL_INCLUDE_DIR}")
      set(DSMATH_HAVE_NCCL ON)
    else()
      message(STATUS "dsmath: NCCL not found (set NCCL_HOME); multi-GPU collectives disabled")
      set(DSMATH_HAVE_NCCL OFF)
    endif()
    set(DSMATH_HAVE_CUDA ON)
  else()
    message(STATUS "dsmath: nvcc not found; CPU-only build")
  endif()
endif()

# dsmath_cuda_sources(TARGET file.cu...): adds CUDA sources to a target. nvcc compiles them; in an
# emulated build the host compiler does, through one-line wrappers that force-include the device
# language of cuda/emu, with the sanitizers of DSMATH_SANITIZE.
function(dsmath_cuda_sources target)
  if(NOT DSMATH_CUDA_EMULATION)
    target_sources(${target} PRIVATE ${ARGN})
    return()
  endif()
  set(options -include ${PROJECT_SOURCE_DIR}/cuda/emu/device_language.hpp -Wno-unknown-pragmas ${DSMATH_SANITIZE_FLAGS})
  foreach(cu IN LISTS ARGN)
    file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${cu})
    set(wrapper ${PROJECT_BINARY_DIR}/emulated/${name}.cpp)
    file(CONFIGURE OUTPUT ${wrapper} CONTENT "#include \"${cu}\"\n")
    set_source_files_properties(${wrapper} TARGET_DIRECTORY ${target} PROPERTIES COMPILE_OPTIONS "${options}"
                                COMPILE_DEFINITIONS DSMATH_CUDA_EMULATION)
    target_sources(${target} PRIVATE ${wrapper})
  endforeach()
endfunction()
