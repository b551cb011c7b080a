# Warning and sanitizer flags applied to treem's own targets (never to consumers).
function(treem_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(TREEM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(TREEM_ENABLE_SANITIZERS)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
