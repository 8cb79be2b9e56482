// Photos are shrunk on the phone before they are queued: at most 1600 px on the long side, JPEG at
// quality 0.7 (a 4 MB camera picture becomes about 300 KB), so a queue of six uploads on a weak signal.
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
