# Renders SCENARIO at 120 days under xvfb-run into OUT.png (SIZE), with the agencies' pixel
# positions in OUT.csv, then checks the image with CHECK (refsim-viz-check). AGENCIES, optional,
# lists "id=saturated" / "id=idle" expectations separated by "|"; CHECK_ARGS, optional, more
# arguments of CHECK separated by "|" (e.g. "--countries|8").
get_filename_component(dir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
file(REMOVE "${OUT}.png" "${OUT}.csv")
execute_process(COMMAND ${XVFB_RUN} -a ${VIZ} ${SCENARIO} --screenshot ${OUT}.png --at 120d --size ${SIZE}
                        --dump-layout ${OUT}.csv
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "refsim-viz failed (exit ${rc}):\n${out}\n${err}")
endif()
set(check_args image ${OUT}.png --size ${SIZE} --layout ${OUT}.csv)
if(AGENCIES)
  string(REPLACE "|" ";" expectations "${AGENCIES}")
  foreach(e IN LISTS expectations)
    list(APPEND check_args --expect ${e})
  endforeach()
endif()
if(CHECK_ARGS)
  string(REPLACE "|" ";" more "${CHECK_ARGS}")
  list(APPEND check_args ${more})
endif()
execute_process(COMMAND ${CHECK} ${check_args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "image check failed (exit ${rc})")
endif()
