# cmake -DPROGRAM=path/to/refsim -DOUT=refsim.1 -P write_man_page.cmake
# Writes PROGRAM --man-page to OUT, whole or not at all (through a temporary file and a rename).
execute_process(COMMAND ${PROGRAM} --man-page OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${PROGRAM} --man-page failed (${rc}): ${err}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
