/* zlib's uncompress() served by libdeflate, linked into pyewf by scripts/setup.
 *
 * libewf inflates each E01 chunk (32 KB by default) with one uncompress() call on the whole
 * buffer. libdeflate decodes the same zlib format (RFC 1950: header, deflate stream, Adler-32
 * checked) about twice as fast as zlib (docs/benchmarks/images.md). The result codes are
 * zlib's, so libewf's handling of a corrupt chunk is unchanged. The symbol is hidden: it binds
 * inside pyewf's extension only, never for another library in the process. */
#include <stddef.h>
#include <libdeflate.h>

#define Z_OK 0
#define Z_DATA_ERROR (-3)
#define Z_MEM_ERROR (-4)
#define Z_BUF_ERROR (-5)

/* One decompressor per thread: libdeflate's decompressor is not shared between threads. */
static __thread struct libdeflate_decompressor *decompressor;

__attribute__((visibility("hidden"))) int
uncompress(unsigned char *dest, unsigned long *dest_len, const unsigned char *source,
           unsigned long source_len)
{
    size_t written = 0;
    enum libdeflate_result result;

    if (decompressor == NULL && (decompressor = libdeflate_alloc_decompressor()) == NULL)
        return Z_MEM_ERROR;
    result = libdeflate_zlib_decompress(decompressor, source, source_len, dest, *dest_len,
                                        &written);
    if (result == LIBDEFLATE_SUCCESS) {
        *dest_len = written;
        return Z_OK;
    }
    return result == LIBDEFLATE_INSUFFICIENT_SPACE ? Z_BUF_ERROR : Z_DATA_ERROR;
}
