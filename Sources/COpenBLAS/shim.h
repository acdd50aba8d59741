#ifndef CKS_COPENBLAS_SHIM_H
#define CKS_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

// Debian's <lapack.h> exposes variadic macros Swift cannot import; declare the Fortran symbols we
// use directly, with the hidden trailing string-length argument.
void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t uplo_len);
void spotrs_(const char *uplo, const int *n, const int *nrhs, const float *a, const int *lda,
             float *b, const int *ldb, int *info, size_t uplo_len);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info, size_t uplo_len);
#endif
