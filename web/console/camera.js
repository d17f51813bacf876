// Camera scan at the counter: where the browser offers BarcodeDetector (Chrome on Android and
// ChromeOS, Safari on iOS 17+ behind no flag on some builds), the back camera reads a card's QR
// code; elsewhere the button stays hidden and a USB scanner types into the search box instead.
import { t } from './i18n.js';

const SCAN_EVERY_MS = 150;

let stream = null;
let timer = 0;
let detector = null;

// True when this browser can scan with a camera (BarcodeDetector with QR and getUserMedia).
export function cameraAvailable() {
  return typeof window.BarcodeDetector === 'function' && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

// The card token in what a QR code said: the token itself, or a link to the card (…/c/TOKEN).
export function tokenFrom(raw) {
  const s = String(raw || '').trim();
  const m = s.match(/\/c\/([0-9A-Za-z]{20,39})\/?(?:[?#].*)?$/);
  return m ? m[1] : s;
}

// Stop the camera and close the dialog (idempotent).
export function stopScan() {
  clearTimeout(timer);
  timer = 0;
  if (stream) for (const tr of stream.getTracks()) tr.stop();
  stream = null;
  const dlg = document.getElementById('scan-dialog');
  const video = document.getElementById('scan-video');
  if (video) video.srcObject = null;
  if (dlg && dlg.open) dlg.close();
}

// Opens the camera in a dialog and calls onCode(token) once with the first QR code read.
// onError(message) when the camera cannot be used (permission refused, no camera).
export async function startScan(onCode, onError) {
  const dlg = document.getElementById('scan-dialog');
  const video = document.getElementById('scan-video');
  const note = document.getElementById('scan-note');
  note.textContent = t('scan.looking');
  try {
    detector = detector || new window.BarcodeDetector({ formats: ['qr_code'] });
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch (err) {
    stopScan();
    onError(t(err && err.name === 'NotAllowedError' ? 'scan.denied' : 'scan.no_camera'));
    return;
  }
  video.srcObject = stream;
  if (!dlg.open) dlg.showModal();
  try {
    await video.play();
  } catch {
    /* autoplay refused: frames still arrive for detect() once the stream runs */
  }
  const look = async () => {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      const hit = codes.find((c) => c.rawValue);
      if (hit) {
        stopScan();
        onCode(tokenFrom(hit.rawValue));
        return;
      }
    } catch {
      /* a frame not ready yet: try the next one */
    }
    if (stream) timer = setTimeout(look, SCAN_EVERY_MS);
  };
  look();
}
