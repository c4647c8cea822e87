// Thin translation layer between Blazor (CallState, via a DotNetObjectReference) and openvidu-browser 2.32.
// It holds the openvidu-browser objects of this tab's one call and forwards their events; every decision
// (who may publish, what to show, what a reason means) is made in C#.

const bundleUrl = new URL('../lib/openvidu-browser/openvidu-browser.min.js', import.meta.url).href;
let bundleLoading;

function loadOpenVidu() {
  if (globalThis.OpenVidu) return Promise.resolve();
  bundleLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = bundleUrl;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('The video library could not be loaded.'));
    document.head.appendChild(script);
  });
  return bundleLoading;
}

let dotnet = null;      // DotNetObjectReference<CallState>
let camera = null;      // { ov, session, publisher }
let screen = null;      // { ov, session, publisher }
const managers = new Map(); // streamId -> StreamManager (Publisher or Subscriber)
const pendingVideos = new Map(); // streamId -> [<video>] waiting for their stream

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
  managers.set(streamId, manager);
  const videos = pendingVideos.get(streamId) ?? [];
  pendingVideos.delete(streamId);
  videos.forEach(video => manager.addVideoElement(video));
}

function wireCameraSession(session) {
  session.on('connectionCreated', e => {
    if (e.connection.connectionId !== session.connection?.connectionId) {
      notify('OnConnectionCreated', e.connection.connectionId, e.connection.data ?? '');
    }
  });
  session.on('connectionDestroyed', e => notify('OnConnectionDestroyed', e.connection.connectionId, e.reason ?? ''));
  session.on('streamCreated', e => {
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
    camera = null;
    managers.clear();
    if (unexpected) notify('OnSessionDisconnected', e.reason ?? '');
  });
}

/**
 * Connects with a token the server minted, then publishes the camera when asked to.
 * Resolves to { connectionId, streamId, publishError, error }: error ({ name, message }) when the connection failed,
 * publishError when connected but the camera could not be published.
 */
export async function join(dotnetRef, token, metadata, publish) {
  await loadOpenVidu();
  dotnet = dotnetRef;
  document.addEventListener('keydown', onShortcutKey);
  const ov = new OpenVidu();
  ov.enableProdMode();
  const session = ov.initSession();
  wireCameraSession(session);
  camera = { ov, session, publisher: null };
  try {
    await session.connect(token, metadata);
  } catch (error) {
    camera = null;
    return { connectionId: null, streamId: null, publishError: null, error: errorInfo(error) };
  }

  const result = { connectionId: session.connection.connectionId, streamId: null, publishError: null, error: null };
  if (publish) {
    try {
      const publisher = await ov.initPublisherAsync(undefined, {
        publishAudio: true, publishVideo: true, resolution: '640x480', frameRate: 30, mirror: true,
      });
      await session.publish(publisher);
      camera.publisher = publisher;
      result.streamId = publisher.stream.streamId;
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
      result.publishError = errorInfo(error);
    }
  }
  return result;
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
      publisher.stream?.getMediaStream()?.getTracks().forEach(t => t.stop());
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
  current.publisher?.stream?.getMediaStream()?.getTracks().forEach(t => t.stop());
}

export function setMicrophone(on) { camera?.publisher?.publishAudio(on); }

export function setCamera(on) { camera?.publisher?.publishVideo(on); }

/** Binds a stream to a <video> Blazor rendered; waits for the stream if it is not there yet. */
export function attachVideo(streamId, video) {
  const manager = managers.get(streamId);
  if (manager) manager.addVideoElement(video);
  else pendingVideos.set(streamId, [...(pendingVideos.get(streamId) ?? []), video]);
}

export function detachVideo(streamId) { pendingVideos.delete(streamId); }

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

/** The main video fills the screen, or stops filling it. */
export function toggleFullscreen() {
  if (document.fullscreenElement) {
    document.exitFullscreen().catch(() => { /* already left */ });
    return;
  }
  document.querySelector('[data-testid=main-video] [data-testid=video-tile]')?.requestFullscreen?.().catch(() => { /* refused by the browser */ });
}

export function leave() {
  document.removeEventListener('keydown', onShortcutKey);
  stopScreen();
  const current = camera;
  camera = null;
  managers.clear();
  pendingVideos.clear();
  if (current) {
    current.publisher?.stream?.getMediaStream()?.getTracks().forEach(t => t.stop());
    try { current.session.disconnect(); } catch { /* already gone */ }
  }
  dotnet = null;
}
