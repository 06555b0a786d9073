# goccConfig.cmake - the CMake package for gocc (find_package(gocc)).
#
# Installed as PREFIX/lib/cmake/gocc/goccConfig.cmake; everything is found
# relative to this file, so a moved prefix still works. Provides:
#
#   gocc::gocc       imported executable: the driver (also in GOCC_EXECUTABLE)
#   gocc::runtime    imported library: libgocc.a, its header, -pthread, C11
#   gocc::runtime_race  the same runtime built for -race (if installed)
#
#   gocc_target_sources(<target> [PRIVATE] [RACE] <file.gc>...)
#       Translates each .gc file with `gocc --translate` at build time (the
#       quoted headers it includes are translated with it), adds the generated
#       C to <target> and links <target> with gocc::runtime. Depfiles track every
#       header the translation read, so touching one re-translates exactly the
#       .gc files that include it. The target's INCLUDE_DIRECTORIES are passed to
#       the translation (they are where it looks for quoted headers). Relative
#       file names are taken relative to CMAKE_CURRENT_SOURCE_DIR; the generated
#       C goes to CMAKE_CURRENT_BINARY_DIR/gocc/<target>/.
#       Link the target with the keyword form (target_link_libraries(t PRIVATE ..)).
#       RACE links gocc::runtime_race instead, the race detector (as gocc -race):
#       the whole target is then compiled with -fsanitize=thread -g (so that
#       reports name .gc lines) and linked with -fsanitize=thread.

# DEPFILE in add_custom_command works with both Ninja and Makefiles generators
# from CMake 3.20 on.
if(CMAKE_VERSION VERSION_LESS 3.20)
  set(gocc_FOUND FALSE)
  set(gocc_NOT_FOUND_MESSAGE "gocc needs CMake 3.20 or later (this is ${CMAKE_VERSION})")
  return()
endif()

get_filename_component(_gocc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

set(GOCC_EXECUTABLE "${_gocc_prefix}/bin/gocc")
set(GOCC_INCLUDE_DIR "${_gocc_prefix}/include")
set(GOCC_LIBRARY "${_gocc_prefix}/lib/libgocc.a")
set(GOCC_RACE_LIBRARY "${_gocc_prefix}/lib/libgocc-race.a")

foreach(_gocc_f IN ITEMS "${GOCC_EXECUTABLE}" "${GOCC_INCLUDE_DIR}/gocc.h" "${GOCC_LIBRARY}")
  if(NOT EXISTS "${_gocc_f}")
    set(gocc_FOUND FALSE)
    set(gocc_NOT_FOUND_MESSAGE "gocc installation at ${_gocc_prefix} is incomplete: ${_gocc_f} is missing")
    return()
  endif()
endforeach()

include(CMakeFindDependencyMacro)
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_dependency(Threads)

if(NOT TARGET gocc::gocc)
  add_executable(gocc::gocc IMPORTED)
  set_target_properties(gocc::gocc PROPERTIES IMPORTED_LOCATION "${GOCC_EXECUTABLE}")
endif()

if(NOT TARGET gocc::runtime)
  add_library(gocc::runtime STATIC IMPORTED)
  set_target_properties(gocc::runtime PROPERTIES
    IMPORTED_LOCATION "${GOCC_LIBRARY}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${GOCC_INCLUDE_DIR}"
    INTERFACE_COMPILE_FEATURES c_std_11
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()

# The race-detecting runtime: ThreadSanitizer for the whole target (compile
# and link), as `gocc -race` does.
if(NOT TARGET gocc::runtime_race AND EXISTS "${GOCC_RACE_LIBRARY}")
  add_library(gocc::runtime_race STATIC IMPORTED)
  set_target_properties(gocc::runtime_race PROPERTIES
    IMPORTED_LOCATION "${GOCC_RACE_LIBRARY}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${GOCC_INCLUDE_DIR}"
    INTERFACE_COMPILE_FEATURES c_std_11
    INTERFACE_COMPILE_OPTIONS "-fsanitize=thread;-g"
    INTERFACE_LINK_OPTIONS "-fsanitize=thread"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()

function(gocc_target_sources target)
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "gocc_target_sources: ${target} is not a target")
  endif()
  # PRIVATE is the only scope that makes sense for generated sources.
  cmake_parse_arguments(PARSE_ARGV 1 _gocc "PRIVATE;RACE" "" "")
  set(_files ${_gocc_UNPARSED_ARGUMENTS})
  foreach(_kw IN ITEMS PUBLIC INTERFACE)
    if(_kw IN_LIST _files)
      message(FATAL_ERROR "gocc_target_sources: .gc sources can only be PRIVATE")
    endif()
  endforeach()
  set(_runtime gocc::runtime)
  if(_gocc_RACE)
    if(NOT TARGET gocc::runtime_race)
      message(FATAL_ERROR "gocc_target_sources: RACE, but ${GOCC_RACE_LIBRARY} is not installed")
    endif()
    set(_runtime gocc::runtime_race)
  endif()
  if(NOT _files)
    message(FATAL_ERROR "gocc_target_sources: no .gc files given for ${target}")
  endif()

  # -I for every include directory of the target, evaluated at generate time.
  set(_incs "$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>")
  set(_iflags "$<$<BOOL:${_incs}>:-I$<JOIN:${_incs},;-I>>")

  set(_outroot "${CMAKE_CURRENT_BINARY_DIR}/gocc/${target}")
  foreach(_gc IN LISTS _files)
    get_filename_component(_abs "${_gc}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    file(RELATIVE_PATH _rel "${CMAKE_CURRENT_SOURCE_DIR}" "${_abs}")
    if(_rel MATCHES "^\\.\\./" OR IS_ABSOLUTE "${_rel}")
      # outside the source dir: keep the name, drop the path
      get_filename_component(_rel "${_abs}" NAME)
      set(_rel "_ext/${_rel}")
    endif()
    get_filename_component(_name "${_abs}" NAME_WLE)
    # One directory per .gc file: its translated headers are its own.
    set(_out "${_outroot}/${_rel}/${_name}.c")
    get_filename_component(_outdir "${_out}" DIRECTORY)
    add_custom_command(
      OUTPUT "${_out}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${_outdir}"
      COMMAND gocc::gocc --translate "${_iflags}" -MD -MF "${_out}.d" -MT "${_out}"
              "${_abs}" -o "${_out}"
      MAIN_DEPENDENCY "${_abs}"
      DEPENDS "${GOCC_EXECUTABLE}"
      DEPFILE "${_out}.d"
      COMMENT "gocc: translating ${_rel}"
      COMMAND_EXPAND_LISTS
      VERBATIM)
    target_sources(${target} PRIVATE "${_out}")
  endforeach()

  target_link_libraries(${target} PRIVATE ${_runtime})
  # Generated C is GNU C (typeof, statement expressions): no -std=c11 for it.
  set_property(TARGET ${target} PROPERTY C_EXTENSIONS ON)
endfunction()
