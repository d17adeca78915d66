// Starts GraphiQL on this page: the endpoint is the page's data-endpoint,
// on this server (the page's CSP allows no other). Kept out of the page so
// the CSP needs no inline script.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var path = root.getAttribute('data-endpoint');
  var url = location.protocol + '//' + location.host + path;
  var ws = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + path;

  // Keeps GraphiQL's state (tabs, headers) apart from other pages of this
  // origin's localStorage.
  var prefix = 'shortener:graphiql:';
  var storage = {
    getItem: function (k) { return localStorage.getItem(prefix + k); },
    setItem: function (k, v) { localStorage.setItem(prefix + k, v); },
    removeItem: function (k) { localStorage.removeItem(prefix + k); },
    clear: function () {
      Object.keys(localStorage).forEach(function (k) {
        if (k.indexOf(prefix) === 0) localStorage.removeItem(k);
      });
    },
    get length() {
      return Object.keys(localStorage).filter(function (k) { return k.indexOf(prefix) === 0; }).length;
    },
  };

  var defaultQuery = [
    '# Shortener GraphQL explorer.',
    '#',
    '# Send your API key in the Headers tab below:',
    '#   {"Authorization": "Bearer YOUR_API_KEY"}',
    '# No key yet? This mutation needs none, and answers one:',
    '#   mutation { signup(input:{email:"you@example.com",',
    '#     username:"you", password:"a long password"}) { apiKey } }',
    '',
    'query Me {',
    '  me { id username email }',
    '}',
    '',
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: ws });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      storage: storage,
      inputValueDeprecation: true,
    })
  );
})();
