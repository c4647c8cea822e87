// Thin translation layer between Blazor (CallState, via a DotNetObjectReference) and openvidu-browser 2.32.
// It holds the openvidu-browser objects of this tab's one call and forwards their events; every decision
// (who may publish, what to show, what a reason means) is made in C#.
// Over 300 lines, on purpose: every export works on the same few objects of the tab's one call (the camera and screen
// sessions, the stream managers, the <video> elements bound to them), so they stay together; what needs none of them
// (listing and opening devices) is in devices.js.

import { openTrack, describeDevices, stopPreview } from './devices.js';
export * from './devices.js';

const bundleUrl = new URL('../lib/openvidu-browser/openvidu-browser.min.js', import.meta.url).href;
let bundleLoading;

function loadOpenVidu() {
  if (globalThis.OpenVidu) return Promise.resolve();
  bundleLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = bundleUrl;
    script.onload = () => resolve();
    script.onerror = () => {
      script.remove();
      bundleLoading = undefined; // the next call tries again
      reject(new Error('The video library could not be loaded.'));
    };
    document.head.appendChild(script);
  });
  return bundleLoading;
}

// The library is a large script: it starts loading when the call page first uses this module (the pre-join, or the
// join itself for someone who only watches), so a person filling in the form does not wait for it after clicking Join.
loadOpenVidu().catch(() => { /* tried again at join */ });

let dotnet = null;      // DotNetObjectReference<CallState>
let camera = null;      // { ov, session, publisher, publishing: the join's publish, a promise of cameraPublished() }
let screen = null;      // { ov, session, publisher }
let lastMedia = null;   // the JoinMedia of this call's camera, kept up by device switches
const managers = new Map(); // streamId -> StreamManager (Publisher or Subscriber)
const pendingVideos = new Map(); // streamId -> [<video>] waiting for their stream
const boundVideos = new Map(); // streamId -> Set<video> Blazor rendered for it, to bind again after a role switch
const retired = new WeakSet(); // camera sessions left by a role switch: their events are not forwarded any more

function notify(method, ...args) {
  dotnet?.invokeMethodAsync(method, ...args).catch(() => { /* circuit gone: nothing left to tell */ });
}

function errorInfo(error) {
  return { name: error?.name ?? String(error?.code ?? 'ERROR'), message: error?.message ?? String(error) };
}

function streamInfo(stream, isLocal = false) {
  return {
    isLocal,
    streamId: stream.streamId,
    connectionId: stream.connection.connectionId,
    connectionData: stream.connection.data ?? '',
    typeOfVideo: stream.typeOfVideo ?? '',
    audioActive: !!stream.audioActive,
    videoActive: !!stream.videoActive,
  };
}

function register(streamId, manager) {
  const previous = managers.get(streamId);
  managers.set(streamId, manager);
  // After a role switch the same stream comes again through the new session (before or after the old one is left):
  // the <video> Blazor already rendered for it stays, bound to the new manager.
  const videos = new Set([...(pendingVideos.get(streamId) ?? []), ...(previous !== manager ? boundVideos.get(streamId) ?? [] : [])]);
  pendingVideos.delete(streamId);
  videos.forEach(video => manager.addVideoElement(video));
}

// ignoredConnectionId: this page's previous camera connection during a role switch, seen from the new session.
const notifyDotnet = notify;

function wireCameraSession(session, ignoredConnectionId = null) {
  // Shadows the module's notify: a session left by a role switch tells C# nothing more.
  const notify = (method, ...args) => { if (!retired.has(session)) notifyDotnet(method, ...args); };
  session.on('connectionCreated', e => {
    if (e.connection.connectionId !== session.connection?.connectionId && e.connection.connectionId !== ignoredConnectionId) {
      notify('OnConnectionCreated', e.connection.connectionId, e.connection.data ?? '');
    }
  });
  session.on('connectionDestroyed', e => notify('OnConnectionDestroyed', e.connection.connectionId, e.reason ?? ''));
  session.on('streamCreated', e => {
    if (e.stream.connection.connectionId === ignoredConnectionId) return;
    // Our own screen comes back as a remote stream of our screen connection: show the local capture instead.
    const ownScreen = !!screen && e.stream.connection.connectionId === screen.session.connection?.connectionId;
    if (ownScreen) {
      register(e.stream.streamId, screen.publisher);
    } else {
      const subscriber = session.subscribe(e.stream, undefined);
      subscriber.on('streamPlaying', () => notify('OnStreamPlaying', e.stream.streamId));
      register(e.stream.streamId, subscriber);
    }
    notify('OnStreamCreated', streamInfo(e.stream, ownScreen));
  });
  // Speech detection (hark) on every stream with audio, this page's own included.
  session.on('publisherStartSpeaking', e => notify('OnSpeaking', e.streamId, true));
  session.on('publisherStopSpeaking', e => notify('OnSpeaking', e.streamId, false));
  session.on('streamDestroyed', e => {
    managers.delete(e.stream.streamId);
    notify('OnStreamDestroyed', e.stream.streamId, e.reason ?? '');
  });
  session.on('streamPropertyChanged', e => {
    if (e.changedProperty === 'audioActive' || e.changedProperty === 'videoActive') {
      notify('OnStreamPropertyChanged', e.stream.streamId, e.changedProperty, e.newValue === true || e.newValue === 'true');
    }
  });
  session.on('signal', e => notify('OnSignal', e.type ?? '', e.data ?? '', e.from?.connectionId ?? null));
  // OpenVidu tells PUBLISHERs and MODERATORs (and a late joiner right after connect); the server tells the rest.
  session.on('recordingStarted', e => notify('OnRecordingStarted', e.id ?? ''));
  session.on('recordingStopped', e => notify('OnRecordingStopped', e.id ?? ''));
  session.on('reconnecting', () => notify('OnReconnecting'));
  session.on('reconnected', () => notify('OnReconnected'));
  // NO_STREAM_PLAYING_EVENT comes from a subscriber (its origin): say which stream, so its tile can tell.
  session.on('exception', e => notify('OnException', e.name ?? '', e.message ?? '', e.origin?.stream?.streamId ?? null));
  session.on('sessionDisconnected', e => {
    const unexpected = e.reason !== 'disconnect';
    if (camera?.session !== session) return; // a session left by a role switch
    camera = null;
    managers.clear();
    if (unexpected) notify('OnSessionDisconnected', e.reason ?? '');
  });
}

/**
 * Connects with a token the server minted and, when asked to, starts publishing the camera with the devices of media
 * (JoinMedia: a device not used gets no track; one used may start muted). Resolves once connected, to
 * { connectionId, error }: error ({ name, message }) when the connection failed. The page shows the call then, so
 * other people's videos bind while the camera is still being published; cameraPublished() tells how that went.
 */
export async function join(dotnetRef, token, metadata, publish, media) {
  mark('start');
  stopPreview(); // the pre-join's camera goes off before the call opens its own
  await loadOpenVidu();
  mark('library');
  dotnet = dotnetRef;
  document.addEventListener('keydown', onShortcutKey);
  const ov = new OpenVidu();
  ov.enableProdMode();
  const session = ov.initSession();
  wireCameraSession(session);
  camera = { ov, session, publisher: null, publishing: null };
  lastMedia = media ?? null;
  // The camera opens while the socket connects (both take a while; nothing in one needs the other).
  const opening = publish ? openCamera(ov, lastMedia) : null;
  opening?.catch(() => {}); // its failure is reported by publishCamera, once connected
  try {
    await session.connect(token, metadata);
  } catch (error) {
    camera = null;
    opening?.then(stopTracks, () => {});
    return { connectionId: null, error: errorInfo(error) };
  }

  mark('connected');
  if (publish) camera.publishing = publishCamera(session, opening);
  return { connectionId: session.connection.connectionId, error: null };
}

/**
 * How the camera asked for at join was published: { streamId, publishError, audioActive, videoActive }, publishError
 * ({ name, message }) when it could not be; null when no camera was asked for or the call was left meanwhile.
 */
export async function cameraPublished() {
  return (await camera?.publishing) ?? null;
}

// User Timing marks of the join, so the bench (and a developer's performance panel) can split where its time goes.
function mark(step) {
  performance.mark(`openvidu-join:${step}`);
}

function stopTracks(publisher) {
  publisher?.stream?.getMediaStream()?.getTracks().forEach(t => t.stop());
}

function openCamera(ov, media) {
  return ov.initPublisherAsync(undefined, {
    publishAudio: media?.microphoneOn ?? true, publishVideo: media?.cameraOn ?? true, resolution: '640x480', frameRate: 30, mirror: true,
    ...publisherSources(media),
  });
}

/**
 * Publishes the camera on the camera session with the devices of media (JoinMedia: a device not used gets no track; one
 * used may start muted). Resolves to { streamId, publishError, audioActive, videoActive }; null when the page left
 * that session meanwhile (its tracks are stopped, so the camera light goes off).
 */
async function publishCamera(session, opening) {
  const result = { streamId: null, publishError: null, audioActive: null, videoActive: null };
  let publisher = null;
  try {
    publisher = await opening;
    mark('camera-open');
    if (camera?.session !== session) { stopTracks(publisher); return null; }
    await session.publish(publisher);
    mark('published');
    if (camera?.session !== session) { stopTracks(publisher); return null; }
    camera.publisher = publisher;
    result.streamId = publisher.stream.streamId;
    result.audioActive = !!publisher.stream.audioActive && publisher.stream.hasAudio;
    result.videoActive = !!publisher.stream.videoActive && publisher.stream.hasVideo;
    register(result.streamId, publisher);
    // The session's speech events cover only streams that exist when they are asked for: this one is asked for itself.
    publisher.on('publisherStartSpeaking', e => notify('OnSpeaking', e.streamId, true));
    publisher.on('publisherStopSpeaking', e => notify('OnSpeaking', e.streamId, false));
    publisher.on('streamDestroyed', e => {
      if (e.reason?.startsWith('forceUnpublish')) {
        managers.delete(result.streamId);
        notify('OnLocalStreamStopped', result.streamId, e.reason);
      }
    });
  } catch (error) {
    if (camera?.session !== session) { stopTracks(publisher); return null; }
    result.publishError = errorInfo(error);
  }
  return result;
}

/**
 * A role switch: connects with a new token while the old camera session still holds the call, and only then leaves
 * the old one, so a refused token leaves the page in the call as it was. Remote videos stay in their <video>
 * elements, bound to the new session's subscribers; the screen share (its own session) is untouched.
 * Resolves to { connectionId, error, camera }: camera, when asked to publish, as cameraPublished() after a join.
 */
export async function switchCamera(token, metadata, publish) {
  await loadOpenVidu();
  const old = camera;
  const ov = new OpenVidu();
  ov.enableProdMode();
  const session = ov.initSession();
  wireCameraSession(session, old?.session.connection?.connectionId ?? null);
  try {
    await session.connect(token, metadata);
  } catch (error) {
    retired.add(session);
    return { connectionId: null, error: errorInfo(error) };
  }

  camera = { ov, session, publisher: null, publishing: null };
  if (old) {
    retired.add(old.session);
    const oldStreamId = old.publisher?.stream?.streamId;
    stopTracks(old.publisher);
    try { old.session.disconnect(); } catch { /* already gone */ }
    for (const [streamId, manager] of managers) {
      if (manager.stream?.session === old.session || streamId === oldStreamId) managers.delete(streamId);
    }
    // Leaving the old session emptied the <video> elements of its subscribers: bind them to the new ones.
    for (const [streamId, manager] of managers) {
      (boundVideos.get(streamId) ?? []).forEach(video => manager.addVideoElement(video));
    }
  }

  // The devices chosen before joining (or switched to since): a person let speak starts as they set up.
  const published = publish ? await publishCamera(session, openCamera(ov, lastMedia)) : null;
  return { connectionId: session.connection.connectionId, error: null, camera: published };
}

/** Shares the screen on a second connection. Resolves to { connectionId, streamId, error }. */
export async function shareScreen(token, metadata) {
  await loadOpenVidu();
  const ov = new OpenVidu();
  ov.enableProdMode();
  const session = ov.initSession();
  const attempt = { ov, session, publisher: null };
  screen = attempt;
  try {
    const publisher = await ov.initPublisherAsync(undefined, { videoSource: 'screen', publishAudio: false, mirror: false });
    if (screen !== attempt) {
      // The person left (or stopped) while the picker was open: the server has released this token, so do not connect.
      stopTracks(publisher);
      return { connectionId: null, streamId: null, error: { name: 'CANCELLED', message: 'The screen share was given up.' } };
    }
    await session.connect(token, metadata);
    screen.publisher = publisher;
    await session.publish(publisher);
    const streamId = publisher.stream.streamId;
    register(streamId, publisher);
    // The browser's own "Stop sharing" button ends the track: end the share cleanly.
    publisher.stream.getMediaStream().getVideoTracks()[0]?.addEventListener('ended', () => {
      stopScreen();
      notify('OnScreenShareEnded', 'browserStopped');
    });
    session.on('sessionDisconnected', e => {
      if (e.reason !== 'disconnect') {
        screen = null;
        notify('OnScreenShareEnded', e.reason ?? '');
      }
    });
    return { connectionId: session.connection.connectionId, streamId, error: null };
  } catch (error) {
    try { session.disconnect(); } catch { /* never connected */ }
    if (screen === attempt) screen = null;
    return { connectionId: null, streamId: null, error: errorInfo(error) };
  }
}

export function stopScreen() {
  const current = screen;
  screen = null;
  if (!current) return;
  if (current.publisher?.stream?.streamId) managers.delete(current.publisher.stream.streamId);
  try { current.session.disconnect(); } catch { /* already gone */ }
  stopTracks(current.publisher);
}

export function setMicrophone(on) { ownTrack('audio', on); camera?.publisher?.publishAudio(on); }

export function setCamera(on) { ownTrack('video', on); camera?.publisher?.publishVideo(on); }

// A device left out at join (blocked or missing) has no track to turn on: say so rather than pretend.
function ownTrack(kind, on) {
  const stream = camera?.publisher?.stream?.getMediaStream();
  if (on && stream && stream.getTracks().every(t => t.kind !== kind)) throw new Error(`This call has no ${kind} track.`);
}

// JoinMedia as openvidu-browser's publisher properties: false leaves a device out, undefined takes the default one.
function publisherSources(media) {
  if (!media) return {};
  return {
    videoSource: media.useCamera ? (media.cameraId ?? undefined) : false,
    audioSource: media.useMicrophone ? (media.microphoneId ?? undefined) : false,
  };
}

/**
 * Switches the published camera or microphone to another device without leaving: a new track of that device
 * replaces the old one (openvidu-browser's replaceTrack keeps it muted or not), then the old one is stopped.
 * Resolves to the devices now in use; rejects (and keeps the old device) when the new one cannot be opened.
 */
export async function switchDevice(kind, deviceId) {
  const publisher = camera?.publisher;
  const stream = publisher?.stream?.getMediaStream();
  const old = kind === 'video' ? stream?.getVideoTracks()[0] : stream?.getAudioTracks()[0];
  if (!old) throw new Error(`This call has no ${kind} track to switch.`);
  const track = await openTrack(kind, deviceId, true);
  try {
    await publisher.replaceTrack(track);
  } catch (error) {
    track.stop();
    throw error;
  }
  old.stop();
  if (lastMedia) lastMedia = kind === 'video' ? { ...lastMedia, cameraId: deviceId } : { ...lastMedia, microphoneId: deviceId };
  return callDevices();
}

/** The browser's devices and the ones this call publishes. */
export function callDevices() {
  const stream = camera?.publisher?.stream?.getMediaStream();
  return describeDevices(stream?.getVideoTracks()[0], stream?.getAudioTracks()[0]);
}

/** Binds a stream to a <video> Blazor rendered; waits for the stream if it is not there yet. */
export function attachVideo(streamId, video) {
  boundVideos.set(streamId, new Set([...(boundVideos.get(streamId) ?? []), video]));
  const manager = managers.get(streamId);
  if (manager) manager.addVideoElement(video);
  else pendingVideos.set(streamId, [...(pendingVideos.get(streamId) ?? []), video]);
}

/** A <video> Blazor removed; the stream's other <video> elements (a tile and the main video) stay bound. */
export function detachVideo(streamId, video) {
  const pending = (pendingVideos.get(streamId) ?? []).filter(v => v !== video);
  if (pending.length > 0) pendingVideos.set(streamId, pending); else pendingVideos.delete(streamId);
  boundVideos.get(streamId)?.delete(video);
  if (boundVideos.get(streamId)?.size === 0) boundVideos.delete(streamId);
}

// The call page's keyboard shortcuts, while in a call: a key becomes the name of an action, which C# carries out like
// the button. Not while typing (chat, forms) or with a modifier (the browser's own shortcuts).
const shortcutKeys = { m: 'microphone', v: 'camera', s: 'screen', h: 'hand', c: 'chat', f: 'fullscreen', '?': 'help' };

function onShortcutKey(e) {
  const target = e.target;
  const typing = target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  const action = shortcutKeys[e.key === '?' ? '?' : e.key.toLowerCase()];
  if (!action || typing || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
  e.preventDefault();
  // Fullscreen needs the key press itself (user activation), so it happens here rather than after a trip to the server.
  if (action === 'fullscreen') toggleFullscreen();
  else notify('OnShortcut', action);
}

/** The main video fills the screen, or stops filling it; in the grid layout (no main video) the whole grid does. */
export function toggleFullscreen() {
  if (document.fullscreenElement) {
    document.exitFullscreen().catch(() => { /* already left */ });
    return;
  }
  const target = document.querySelector('[data-testid=main-video] [data-testid=video-tile]') ?? document.querySelector('[data-testid=video-grid]');
  target?.requestFullscreen?.().catch(() => { /* refused by the browser */ });
}

export function leave() {
  document.removeEventListener('keydown', onShortcutKey);
  stopScreen();
  const current = camera;
  camera = null;
  managers.clear();
  pendingVideos.clear();
  boundVideos.clear();
  if (current) {
    stopTracks(current.publisher);
    try { current.session.disconnect(); } catch { /* already gone */ }
  }
  dotnet = null;
}
