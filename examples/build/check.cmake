# check.cmake - runs PROG and compares its output with EXPECTED (for ctest).
execute_process(COMMAND "${PROG}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
file(READ "${EXPECTED}" want)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROG} exited with ${rc}")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "output differs.\n--- expected\n${want}--- got\n${out}")
endif()
