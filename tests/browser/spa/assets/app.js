// The SPA's router (history mode): renders the view for location.pathname, and handles the
// nav links with pushState so switching routes never asks the server.
(function () {
  var routes = {
    '/': 'Home',
    '/index.html': 'Home',
    '/about': 'About',
    '/app/settings/profile': 'Profile settings',
  };
  function render() {
    var path = location.pathname;
    document.getElementById('view').innerText = routes[path] || '404 Page';
    document.getElementById('route').innerText = 'Route: ' + path;
    document.title = 'cosd SPA - ' + (routes[path] || '404 Page');
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest('a[data-link]');
    if (!a) return;
    e.preventDefault();
    history.pushState(null, '', a.getAttribute('href'));
    render();
  });
  window.addEventListener('popstate', render);
  render();
})();
