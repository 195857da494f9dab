# Runs VIZ with ARGS ("|"-separated) and expects exit code 2 (bad input) with a message on
# standard error matching the regular expression EXPECT, and no crash.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${VIZ} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "expected exit code 2, got '${rc}'\nstdout: ${out}\nstderr: ${err}")
endif()
if(err MATCHES "terminate called|Segmentation|Abort")
  message(FATAL_ERROR "refsim-viz crashed:\n${err}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "standard error does not match '${EXPECT}':\n${err}")
endif()
message(STATUS "exit code 2 as expected: ${err}")
