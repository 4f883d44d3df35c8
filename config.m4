dnl PayLock: Redis and flock locks with idempotency guards.
PHP_ARG_ENABLE([paylock],
  [whether to enable PayLock support],
  [AS_HELP_STRING([--enable-paylock], [Enable PayLock support])],
  [no])

PHP_ARG_WITH([hiredis],
  [for the hiredis library],
  [AS_HELP_STRING([[--with-hiredis[=DIR]]], [PayLock: hiredis install prefix (default: pkg-config)])],
  [yes], [no])

PHP_ARG_WITH([paylock-openssl],
  [for OpenSSL (rediss://)],
  [AS_HELP_STRING([[--with-paylock-openssl[=DIR]]], [PayLock: OpenSSL install prefix for TLS (default: pkg-config; no: build without TLS)])],
  [yes], [no])

PHP_ARG_ENABLE([paylock-dev],
  [whether to build PayLock with strict developer warnings],
  [AS_HELP_STRING([--enable-paylock-dev], [PayLock: -Wall -Wextra -Werror and friends])],
  [no], [no])

if test "$PHP_PAYLOCK" != "no"; then
  AC_MSG_CHECKING([PHP version])
  if test -z "$PHP_VERSION_ID" && test -n "$PHP_CONFIG"; then
    PHP_VERSION_ID=`$PHP_CONFIG --vernum`
  fi
  if test -n "$PHP_VERSION_ID" && test "$PHP_VERSION_ID" -lt 80200; then
    AC_MSG_ERROR([PayLock needs PHP 8.2 or newer])
  fi
  AC_MSG_RESULT([$PHP_VERSION_ID])

  if test "$PHP_HIREDIS" != "yes" && test "$PHP_HIREDIS" != "no"; then
    dnl An explicit prefix wins over the system copy.
    export PKG_CONFIG_PATH="$PHP_HIREDIS/$PHP_LIBDIR/pkgconfig:$PHP_HIREDIS/lib/pkgconfig:$PKG_CONFIG_PATH"
  fi
  PKG_CHECK_MODULES([HIREDIS], [hiredis >= 0.14], [], [
    if test "$PHP_HIREDIS" != "yes" && test -r "$PHP_HIREDIS/include/hiredis/hiredis.h"; then
      HIREDIS_CFLAGS="-I$PHP_HIREDIS/include/hiredis"
      HIREDIS_LIBS="-L$PHP_HIREDIS/$PHP_LIBDIR -lhiredis"
    else
      AC_MSG_ERROR([hiredis >= 0.14 not found: install libhiredis-dev or pass --with-hiredis=DIR])
    fi
  ])
  PHP_EVAL_INCLINE([$HIREDIS_CFLAGS])
  PHP_EVAL_LIBLINE([$HIREDIS_LIBS], [PAYLOCK_SHARED_LIBADD])

  dnl The .pc file names either the include dir or its parent: probe the spelling.
  old_CPPFLAGS=$CPPFLAGS
  CPPFLAGS="$CPPFLAGS $HIREDIS_CFLAGS"
  AC_CHECK_HEADERS([hiredis.h hiredis/hiredis.h], [break])
  CPPFLAGS=$old_CPPFLAGS
  if test "$ac_cv_header_hiredis_h" != "yes" && test "$ac_cv_header_hiredis_hiredis_h" != "yes"; then
    AC_MSG_ERROR([hiredis.h not found])
  fi

  dnl TLS (rediss://): PayLock owns the socket and speaks TLS through OpenSSL (ext/redis_tls.c only);
  dnl hiredis stays the RESP encoder and parser, so any hiredis >= 0.14 works.
  PAYLOCK_TLS_CFLAGS=""
  if test "$PHP_PAYLOCK_OPENSSL" != "no"; then
    if test "$PHP_PAYLOCK_OPENSSL" != "yes"; then
      export PKG_CONFIG_PATH="$PHP_PAYLOCK_OPENSSL/$PHP_LIBDIR/pkgconfig:$PHP_PAYLOCK_OPENSSL/lib/pkgconfig:$PHP_PAYLOCK_OPENSSL/lib64/pkgconfig:$PKG_CONFIG_PATH"
    fi
    PKG_CHECK_MODULES([PAYLOCK_OPENSSL], [openssl >= 1.1.1], [], [
      if test "$PHP_PAYLOCK_OPENSSL" != "yes" && test -r "$PHP_PAYLOCK_OPENSSL/include/openssl/ssl.h"; then
        PAYLOCK_OPENSSL_CFLAGS="-I$PHP_PAYLOCK_OPENSSL/include"
        PAYLOCK_OPENSSL_LIBS="-L$PHP_PAYLOCK_OPENSSL/$PHP_LIBDIR -lssl -lcrypto"
      else
        AC_MSG_ERROR([OpenSSL >= 1.1.1 not found (for rediss://): install libssl-dev, pass --with-paylock-openssl=DIR, or --without-paylock-openssl to build without TLS])
      fi
    ])
    PHP_EVAL_INCLINE([$PAYLOCK_OPENSSL_CFLAGS])
    PHP_EVAL_LIBLINE([$PAYLOCK_OPENSSL_LIBS], [PAYLOCK_SHARED_LIBADD])
    PAYLOCK_TLS_CFLAGS="$PAYLOCK_OPENSSL_CFLAGS -DPAYLOCK_HAVE_OPENSSL=1"
  fi

  PAYLOCK_CFLAGS="$HIREDIS_CFLAGS $PAYLOCK_TLS_CFLAGS -DZEND_ENABLE_STATIC_TSRMLS_CACHE=1"
  if test "$PHP_PAYLOCK_DEV" != "no"; then
    PAYLOCK_CFLAGS="$PAYLOCK_CFLAGS -Wall -Wextra -Werror -Wformat-security -Wimplicit-fallthrough -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare"
  fi

  PAYLOCK_SOURCES="ext/paylock.c ext/exceptions.c ext/token.c ext/store.c ext/redis_conn.c ext/redis_dsn_query.c ext/redis_replicas.c ext/redis_slot.c ext/redis_router.c ext/redis_cluster.c ext/redis_sentinel.c ext/redis_durability.c ext/redis_store.c ext/redis_lock_call.c ext/redis_acquire.c ext/redis_ghosts.c ext/redis_release.c ext/redis_inspect.c ext/redis_slots.c ext/redis_acquire_slots.c ext/file_store.c ext/fs_trust.c ext/fs_sweep.c ext/fs_util.c ext/deadline.c ext/fallback_store.c ext/fallback_parts.c ext/fallback_degrade.c ext/fallback_lock.c ext/fallback_idem.c ext/store_kinds.c ext/lock.c ext/registry.c ext/codec.c ext/redis_idem.c ext/file_idem.c ext/idempotency.c ext/idempotency_registry.c ext/idempotency_guard.c ext/idempotency_run.c ext/idempotency_claim.c ext/redis_resp.c ext/redis_transport.c ext/redis_tls.c ext/redis_pool.c ext/redis_exec.c ext/redis_replies.c ext/redis_wire.c ext/redis_scripts.c ext/redis_handoff.c ext/redis_idem_big.c ext/admin.c ext/redis_admin.c ext/file_admin.c ext/admin_fallback.c ext/metrics.c ext/metrics_file.c ext/events.c"
  PHP_NEW_EXTENSION([paylock], [$PAYLOCK_SOURCES], [$ext_shared], , [$PAYLOCK_CFLAGS])
  PHP_ADD_BUILD_DIR(PHP_EXT_BUILDDIR(paylock)[/ext])
  PHP_ADD_INCLUDE(PHP_EXT_SRCDIR(paylock)[/stubs])
  PHP_SUBST([PAYLOCK_SHARED_LIBADD])
fi
