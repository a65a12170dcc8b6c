/** `source.s3` in a pipeline: how to reach an S3-compatible service other than AWS's defaults. */
export interface S3Settings {
  /** e.g. `https://<account>.r2.cloudflarestorage.com`, `https://storage.googleapis.com`, `http://127.0.0.1:9000`. */
  readonly endpoint?: string;
  /** Signing region; AWS_REGION / the profile's by default (`us-east-1` with a custom endpoint, `auto` suits R2). */
  readonly region?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`; default true with a custom endpoint (MinIO needs it). */
  readonly forcePathStyle?: boolean;
}
