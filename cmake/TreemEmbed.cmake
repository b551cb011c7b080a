# Embeds every file under data/ (rule sets, code lists, calendars, plans) into treem_cpp, so the
# library carries its versioned legal data without depending on files at run time.
# Access from C++: treem::internal::EmbeddedFile("calendar/vn-holidays.csv").
function(treem_embed_data out_cc data_dir)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS RELATIVE ${data_dir} ${data_dir}/*)
  list(SORT files)
  set(abs_files)
  foreach(f IN LISTS files)
    list(APPEND abs_files ${data_dir}/${f})
  endforeach()
  add_custom_command(
    OUTPUT ${out_cc}
    COMMAND ${CMAKE_COMMAND} -DDATA_DIR=${data_dir} -DOUT=${out_cc}
            -P ${PROJECT_SOURCE_DIR}/cmake/TreemEmbedScript.cmake
    DEPENDS ${abs_files} ${PROJECT_SOURCE_DIR}/cmake/TreemEmbedScript.cmake
    COMMENT "Embedding data/ into the library"
    VERBATIM)
endfunction()
