/** Saves a data URL or text as a file download. */
export function download(filename: string, content: string, type = 'text/csv'): void {
  const href = content.startsWith('data:') ? content : URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (!content.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(href), 1000);
}

/** A file name made from a key: anything but letters, digits, `-` and `_` becomes `_`. */
export function fileName(key: string, ext: string): string {
  return `${key.replace(/[^\w-]+/g, '_') || 'chart'}.${ext}`;
}
