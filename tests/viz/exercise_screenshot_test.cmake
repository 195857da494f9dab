# Renders the facilitator's view and the player view of an exercise under xvfb-run: EXERCISE
# (--exercise), at AT (--at: "inject", "inject:ID" or a duration), the player view of PLAYER,
# into OUT.png and OUT-player.png (SIZE), writing the log OUT.log (replaced); then checks both
# images with CHECK (refsim-viz-check image: the size, not blank) and that the log has the
# inject INJECT (optional) as its last inject record, then the end record; and, with REFSIM, that
# `refsim exercise replay` replays the log.
get_filename_component(dir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
file(REMOVE "${OUT}.png" "${OUT}-player.png" "${OUT}.log")
execute_process(COMMAND ${XVFB_RUN} -a ${VIZ} --exercise ${EXERCISE} --screenshot ${OUT}.png --at ${AT} --size ${SIZE}
                        --player ${PLAYER} --log ${OUT}.log
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "refsim-viz failed (exit ${rc}):\n${out}\n${err}")
endif()
foreach(image IN ITEMS ${OUT}.png ${OUT}-player.png)
  execute_process(COMMAND ${CHECK} image ${image} --size ${SIZE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  message(STATUS "${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "image check failed for ${image} (exit ${rc})")
  endif()
endforeach()
file(STRINGS ${OUT}.log lines)
list(GET lines -1 last)
if(NOT last MATCHES "\"record\":\"end\"")
  message(FATAL_ERROR "${OUT}.log does not end with its end record: ${last}")
endif()
if(INJECT)
  set(seen "")
  foreach(line IN LISTS lines)
    if(line MATCHES "\"record\":\"inject\",\"inject\":\"([^\"]+)\"")
      set(seen ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(NOT seen STREQUAL INJECT)
    message(FATAL_ERROR "the last inject fired is '${seen}', expected '${INJECT}'")
  endif()
endif()
# REFSIM (optional): `refsim exercise replay` replays the log (which ends before the horizon).
if(REFSIM)
  file(REMOVE_RECURSE ${OUT}-replay)
  execute_process(COMMAND ${REFSIM} exercise replay ${OUT}.log --out ${OUT}-replay --quiet RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "refsim exercise replay ${OUT}.log failed (exit ${rc}):\n${out}\n${err}")
  endif()
endif()
