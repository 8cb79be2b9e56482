// Photos are shrunk on the phone before they are queued: at most 1600 px on the long side, JPEG at
// quality 0.7 (a 4 MB camera picture becomes about 300 KB), so six photos still go on a weak signal.
const LONG_SIDE = 1600;
export const MAX_PHOTOS = 6;

export async function compress(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const shrunk = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
  return shrunk && shrunk.size < file.size ? shrunk : file;
}

/** The picked files, shrunk one after another (six camera pictures decoded at once can exhaust a
 * low-end phone's memory). */
export async function compressAll(picked: { file?: File }[]): Promise<Blob[]> {
  const shrunk: Blob[] = [];
  for (const p of picked) if (p.file) shrunk.push(await compress(p.file));
  return shrunk;
}
