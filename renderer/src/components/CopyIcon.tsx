/** Two overlapping sheets: "copy". Drawn, because fonts lack a dependable copy glyph. */
export function CopyIcon() {
  return (
    <svg aria-hidden="true" width="13" height="13" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5">
      <rect x="5.5" y="5.5" width="8" height="9" rx="1.5" />
      <path d="M10.5 5.5V3a1.5 1.5 0 0 0-1.5-1.5H3.5A1.5 1.5 0 0 0 2 3v7a1.5 1.5 0 0 0 1.5 1.5h2" />
    </svg>
  );
}
