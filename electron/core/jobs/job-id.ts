import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A nanoid-style URL-safe id: 21 characters of 64 symbols = 126 random bits. */
export function newJobId(size = 21): string {
  const bytes = randomBytes(size);
  let id = "";
  for (const byte of bytes) id += ALPHABET[byte & 63];
  return id;
}
