/**
 * The in-memory dataset type shared by every reader.
 *
 * @module
 */

/** An in-memory labelled image dataset, pixels as stored on disk. */
export interface Dataset {
  /** Dataset name, e.g. "mnist". */
  name: string;
  /** Row-major NHWC uint8 pixels, length = count * height * width * channels. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
  /** Human-readable class names; length = number of classes. */
  classNames: string[];
  /** Where the data came from (path), for run configs and error messages. */
  source: string;
}
