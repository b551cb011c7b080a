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
run(${WORK_DIR}/build/consumer_c ${WORK_DIR})
message(STATUS "find_package consumer: ${last_out}")

# The full export and a journal segment decode with the official capnp tool and the installed
# schema (issue 5: "the file decodes with the official `capnp decode` tool").
find_program(CAPNP_TOOL capnp REQUIRED)
set(schema ${prefix}/include/treem/schema/commands.capnp)
foreach(pair "export.capnp;Snapshot;fullName = \"Nguyễn Thị Hoa\""
             "journal.capnp;JournalSegment;upsertPerson = ")
  list(GET pair 0 file)
  list(GET pair 1 type)
  list(GET pair 2 expect)
  execute_process(COMMAND ${CAPNP_TOOL} decode -I${prefix}/include ${schema} ${type}
                  INPUT_FILE ${WORK_DIR}/${file} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "capnp decode ${file} as ${type} failed (${rc}): ${err}")
  endif()
  string(FIND "${out}" "${expect}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "capnp decode ${file}: '${expect}' not in:\n${out}")
  endif()
  message(STATUS "capnp decode ${file} as ${type}: ok")
endforeach()
file(READ ${WORK_DIR}/export.json json)
string(JSON name GET "${json}" persons 0 fullName)
if(NOT name STREQUAL "Nguyễn Thị Hoa")
  message(FATAL_ERROR "export.json: persons[0].fullName is '${name}'")
endif()

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
