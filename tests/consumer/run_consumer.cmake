# Script mode. Installs the build tree into WORK_DIR/prefix, then configures, builds and runs
# the consumer project against it, and compiles the same C file with pkg-config flags.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
run(${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer_c)
message(STATUS "find_package consumer: ${last_out}")

# pkg-config
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} "${prefix}/lib/pkgconfig:${prefix}/lib/x86_64-linux-gnu/pkgconfig")
  run(${PKG_CONFIG} --cflags --libs treem)
  string(STRIP "${last_out}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${C_COMPILER} -std=c99 -pedantic -Wall -Werror ${PROJECT_DIR}/consumer.c ${flags}
      -Wl,-rpath,${prefix}/lib -o ${WORK_DIR}/consumer_pc)
  run(${WORK_DIR}/consumer_pc)
  message(STATUS "pkg-config consumer: ${last_out}")
else()
  message(STATUS "pkg-config not found: pkg-config consumer skipped")
endif()
