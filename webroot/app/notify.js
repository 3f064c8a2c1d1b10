// The tab title with the number of unread messages, and desktop notifications for mentions and direct
// messages while the tab is hidden (only after the user allowed them with the button: never asked on load).

export function install(app) {
  const { $, state } = app;
  const shown = new Set(); // room:id already notified
  const supported = 'Notification' in window;

  app.updateTitle = () => {
    const room = state.currentRoom();
    const total = state.totalUnread();
    document.title = (total > 0 ? '(' + total + ') ' : '') + (room ? room.name + ' · ' : '') + 'vertx-chat';
  };

  app.notifyDesktop = (title, body, room, id) => {
    if (!document.hidden || !supported || Notification.permission !== 'granted') return;
    const key = room + ':' + id;
    if (shown.has(key)) return;
    shown.add(key);
    if (shown.size > 500) shown.delete(shown.values().next().value);
    try {
      const n = new Notification(title, { body: Array.from(body || '').slice(0, 200).join(''), tag: key });
      n.onclick = () => {
        window.focus();
        app.openMessage(room, id);
        n.close();
      };
    } catch (e) {
      // some browsers only show notifications from a service worker: the title still counts
    }
  };

  function drawPermission() {
    const button = $('notify-permission');
    if (!supported) {
      button.hidden = true;
      $('notify-state').textContent = 'This browser cannot show desktop notifications.';
      return;
    }
    button.hidden = Notification.permission !== 'default';
    $('notify-state').textContent = Notification.permission === 'granted'
      ? 'Desktop notifications are on for mentions and direct messages while this tab is hidden.'
      : Notification.permission === 'denied' ? 'Desktop notifications are blocked in this browser\'s settings.' : '';
  }

  $('notify-permission').addEventListener('click', async () => {
    try {
      await Notification.requestPermission();
    } finally {
      drawPermission();
    }
  });
  drawPermission();
}
