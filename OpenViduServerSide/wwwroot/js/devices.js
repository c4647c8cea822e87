// The pre-join's browser half: the camera preview, the microphone level meter, the list of devices and the remembered
// choice (localStorage). It opens what C# asks for and reports what happened; the choice and its messages are made in
// C# (DeviceSetup, CallMessages). openvidu-interop.js re-exports it, so Blazor imports one module.

const choiceKey = 'openvidu-call.devices';

let preview = null; // { stream, audio: { context, frame } }

/** The choice saved by the last join in this browser, or null. */
export function readDeviceChoice() {
  try {
    return JSON.parse(localStorage.getItem(choiceKey) ?? 'null');
  } catch {
    return null; // a hand-edited or older value: start from the defaults
  }
}

export function saveDeviceChoice(choice) {
  try { localStorage.setItem(choiceKey, JSON.stringify(choice)); } catch { /* storage full or disabled: not remembered */ }
}

function errorOf(error) {
  return { name: error?.name ?? 'Error', message: error?.message ?? String(error) };
}

/**
 * One track of a device. exact: the device or an error (a switch in the call); otherwise the device if it is still
 * there, else the browser's default (a remembered id of a camera that was unplugged).
 */
export async function openTrack(kind, deviceId, exact) {
  const wanted = deviceId ? { deviceId: exact ? { exact: deviceId } : { ideal: deviceId } } : {};
  const constraints = kind === 'video'
    ? { video: { width: 640, height: 480, ...wanted }, audio: false }
    : { audio: wanted.deviceId ? wanted : true, video: false };
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  return stream.getTracks()[0];
}

/** The browser's cameras and microphones, and the ids of the given tracks. */
export async function describeDevices(videoTrack, audioTrack) {
  let all = [];
  try { all = await navigator.mediaDevices.enumerateDevices(); } catch { /* no media devices API: nothing to offer */ }
  const of = kind => all.filter(d => d.kind === kind && d.deviceId).map(d => ({ id: d.deviceId, label: d.label }));
  return {
    cameras: of('videoinput'),
    microphones: of('audioinput'),
    cameraId: videoTrack?.getSettings().deviceId ?? null,
    microphoneId: audioTrack?.getSettings().deviceId ?? null,
  };
}

/**
 * Shows the chosen camera in video and the chosen microphone's level in meter (a progressbar: its aria-valuenow and
 * its --level), replacing any earlier preview. Camera and microphone are opened one by one, so a blocked camera does
 * not hide a working microphone. Resolves to { devices, cameraError, microphoneError }.
 */
export async function startPreview(video, meter, choice) {
  stopPreview();
  const current = { stream: new MediaStream(), audio: null };
  preview = current;
  const result = { devices: null, cameraError: null, microphoneError: null };
  if (choice.cameraOn) {
    try { current.stream.addTrack(await openTrack('video', choice.cameraId, false)); } catch (e) { result.cameraError = errorOf(e); }
  }
  if (choice.microphoneOn) {
    try { current.stream.addTrack(await openTrack('audio', choice.microphoneId, false)); } catch (e) { result.microphoneError = errorOf(e); }
  }
  if (preview !== current) {
    // Stopped or restarted while the browser was opening devices: this one is no longer wanted.
    current.stream.getTracks().forEach(t => t.stop());
    return { devices: await describeDevices(null, null), cameraError: null, microphoneError: null };
  }
  const [videoTrack] = current.stream.getVideoTracks();
  const [audioTrack] = current.stream.getAudioTracks();
  if (video) {
    video.muted = true;
    video.srcObject = videoTrack ? new MediaStream([videoTrack]) : null;
    if (videoTrack) video.play().catch(() => { /* shown once the browser lets it play */ });
  }
  if (meter) meterLevel(meter, 0);
  if (audioTrack && meter) current.audio = startMeter(audioTrack, meter);
  result.devices = await describeDevices(videoTrack, audioTrack);
  return result;
}

function meterLevel(meter, level) {
  meter.style.setProperty('--level', `${level}%`);
  meter.setAttribute('aria-valuenow', String(level));
}

function startMeter(track, meter) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  // Before any click on the page the browser may keep audio suspended: the first click or key starts it.
  const resume = () => context.resume().catch(() => { /* closed meanwhile */ });
  document.addEventListener('pointerdown', resume, { once: true });
  document.addEventListener('keydown', resume, { once: true });
  resume();
  const samples = new Float32Array(analyser.fftSize);
  const audio = { context, timer: 0, resume };
  // Ten times a second is enough for the eye and does not keep a screen reader busy.
  audio.timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    meterLevel(meter, Math.min(100, Math.round(rms * 400)));
  }, 100);
  return audio;
}

/** Stops the preview's camera and microphone (the light goes off). */
export function stopPreview() {
  const current = preview;
  preview = null;
  if (!current) return;
  current.stream.getTracks().forEach(t => t.stop());
  if (current.audio) {
    clearInterval(current.audio.timer);
    document.removeEventListener('pointerdown', current.audio.resume);
    document.removeEventListener('keydown', current.audio.resume);
    current.audio.context.close().catch(() => { /* already closed */ });
  }
}
