// Code below is copied from ../shared/api/endpoints.md: the documented
// examples the golden test checks shapes against.

package rest_test

// docAccount is the documented answer of GET /api/account.
const docAccount = `{
"error": 0,
"data": {
"id": 1,
"email": "sample@domain.com",
"username": "sampleuser",
"avatar": "https:\/\/domain.com\/content\/avatar.png",
"status": "pro",
"expires": "2022-11-15 15:00:00",
"registered": "2020-11-10 18:01:43"
}
}`

// docAccountUpdate is the documented answer of PUT /api/account/update.
const docAccountUpdate = `{
"error": 0,
"message": "Account has been successfully updated."
}`

// docOverlay is the documented answer of GET /api/overlay?limit=2&page=1.
const docOverlay = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"cta": [
{
"id": 1,
"type": "message",
"name": "Product 1 Promo",
"date": "2020-11-10 18:00:00"
},
{
"id": 2,
"type": "contact",
"name": "Contact Page",
"date": "2020-11-10 18:10:00"
}
]
}
}`

// docQRs is the documented answer of GET /api/qr?limit=2&page=1.
const docQRs = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"qrs": [
{
"id": 2,
"link": "https:\/\/1mm.kr\/qr\/a2d5e",
"scans": 0,
"name": "Google",
"date": "2020-11-10 18:01:43"
},
{
"id": 1,
"link": "https:\/\/1mm.kr\/qr\/b9edfe",
"scans": 5,
"name": "Google Canada",
"date": "2020-11-10 18:00:25"
}
]
}
}`

// docQRGet is the documented answer of GET /api/qr/:id.
const docQRGet = `{
"error": 0,
"details": {
"id": 1,
"link": "https:\/\/1mm.kr\/qr\/b9edfe",
"scans": 5,
"name": "Google Canada",
"date": "2020-11-10 18:00:25"
},
"data": {
"clicks": 1,
"uniqueClicks": 1,
"topCountries": {
"Unknown": "1"
},
"topReferrers": {
"Direct, email and other": "1"
},
"topBrowsers": {
"Chrome": "1"
},
"topOs": {
"Windows 10": "1"
},
"socialCount": {
"facebook": 0,
"twitter": 0,
"instagram": 0
}
}
}`

// docQRAdd is the documented answer of POST /api/qr/add.
const docQRAdd = `{
"error": 0,
"id": 3,
"link": "https:\/\/1mm.kr\/qr\/a58f79"
}`

// docQRUpdate is the documented answer of PUT /api/qr/:id/update.
const docQRUpdate = `{
"error": 0,
"message": "QR has been updated successfully."
}`

// docQRDelete is the documented answer of DELETE /api/qr/:id/delete.
const docQRDelete = `{
"error": 0,
"message": "QR Code has been deleted successfully."
}`

// docURLs is the documented answer of GET /api/urls?limit=2&page=1&order=date.
const docURLs = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"urls": [
{
"id": 2,
"alias": "google",
"shorturl": "https:\/\/1mm.kr\/google",
"longurl": "https:\/\/google.com",
"clicks": 0,
"title": "Google",
"description": "",
"date": "2020-11-10 18:01:43"
},
{
"id": 1,
"alias": "googlecanada",
"shorturl": "https:\/\/1mm.kr\/googlecanada",
"longurl": "https:\/\/google.ca",
"clicks": 0,
"title": "Google Canada",
"description": "",
"date": "2020-11-10 18:00:25"
}
]
}
}`

// docURLGet is the documented answer of GET /api/url/:id.
const docURLGet = `{
"error": 0,
"id": 1,
"details": {
"id": 1,
"shorturl": "https:\/\/1mm.kr\/googlecanada",
"longurl": "https:\/\/google.com",
"title": "Google",
"description": "",
"location": {
"canada": "https:\/\/google.ca",
"united states": "https:\/\/google.us"
},
"device": {
"iphone": "https:\/\/google.com",
"android": "https:\/\/google.com"
},
"expiry": null,
"date": "2020-11-10 18:01:43"
},
"data": {
"clicks": 0,
"uniqueClicks": 0,
"topCountries": 0,
"topReferrers": 0,
"topBrowsers": 0,
"topOs": 0,
"socialCount": {
"facebook": 0,
"twitter": 0,
"google": 0
}
}
}`

// docURLAdd is the documented answer of POST /api/url/add.
const docURLAdd = `{
"error": 0,
"id": 3,
"shorturl": "https:\/\/1mm.kr\/google"
}`

// docURLAddRequest is the documented request body of POST /api/url/add.
const docURLAddRequest = `{
"url": "https:\/\/google.com",
"status": "private",
"custom": "google",
"password": "mypass",
"expiry": "2020-11-11 12:00:00",
"type": "splash",
"metatitle": "Not Google",
"metadescription": "Not Google description",
"metaimage": "https:\/\/www.mozilla.org\/media\/protocol\/img\/logos\/firefox\/browser\/og.4ad05d4125a5.png",
"description": "For facebook",
"pixels": [
1,
2,
3,
4
],
"channel": 1,
"campaign": 1,
"deeplink": {
"auto": true,
"apple": "https:\/\/apps.apple.com\/us\/app\/google\/id284815942",
"google": "https:\/\/play.google.com\/store\/apps\/details?id=com.google.android.googlequicksearchbox&hl=en_CA&gl=US"
},
"geotarget": [
{
"location": "Canada",
"link": "https:\/\/google.ca"
},
{
"location": "United States",
"link": "https:\/\/google.us"
}
],
"devicetarget": [
{
"device": "iPhone",
"link": "https:\/\/google.com"
},
{
"device": "Android",
"link": "https:\/\/google.com"
}
],
"languagetarget": [
{
"language": "en",
"link": "https:\/\/google.com"
},
{
"language": "fr",
"link": "https:\/\/google.ca"
}
],
"parameters": [
{
"name": "aff",
"value": "3"
},
{
"device": "gtm_source",
"link": "api"
}
]
}`

// docURLUpdate is the documented answer of PUT /api/url/:id/update.
const docURLUpdate = `{
"error": 0,
"id": 3,
"short": "https:\/\/1mm.kr\/google"
}`

// docURLUpdateRequest is the documented request body of PUT /api/url/:id/update.
const docURLUpdateRequest = `{
"url": "https:\/\/google.com",
"custom": "google",
"password": "mypass",
"expiry": "2020-11-11 12:00:00",
"type": "splash",
"pixels": [
1,
2,
3,
4
],
"channel": 1,
"deeplink": {
"apple": "https:\/\/apps.apple.com\/us\/app\/google\/id284815942",
"google": "https:\/\/play.google.com\/store\/apps\/details?id=com.google.android.googlequicksearchbox&hl=en_CA&gl=US"
},
"geotarget": [
{
"location": "Canada",
"link": "https:\/\/google.ca"
},
{
"location": "United States",
"link": "https:\/\/google.us"
}
],
"devicetarget": [
{
"device": "iPhone",
"link": "https:\/\/google.com"
},
{
"device": "Android",
"link": "https:\/\/google.com"
}
],
"parameters": [
{
"name": "aff",
"value": "3"
},
{
"device": "gtm_source",
"link": "api"
}
]
}`

// docURLDelete is the documented answer of DELETE /api/url/:id/delete.
const docURLDelete = `{
"error": 0,
"message": "Link has been deleted successfully"
}`

// docSplash is the documented answer of GET /api/splash?limit=2&page=1.
const docSplash = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"splash": [
{
"id": 1,
"name": "Product 1 Promo",
"date": "2020-11-10 18:00:00"
},
{
"id": 2,
"name": "Product 2 Promo",
"date": "2020-11-10 18:10:00"
}
]
}
}`

// docDomains is the documented answer of GET /api/domains?limit=2&page=1.
const docDomains = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"domains": [
{
"id": 1,
"domain": "https:\/\/domain1.com",
"redirectroot": "https:\/\/rootdomain.com",
"redirect404": "https:\/\/rootdomain.com\/404"
},
{
"id": 2,
"domain": "https:\/\/domain2.com",
"redirectroot": "https:\/\/rootdomain2.com",
"redirect404": "https:\/\/rootdomain2.com\/404"
}
]
}
}`

// docDomainAdd is the documented answer of POST /api/domain/add.
const docDomainAdd = `{
"error": 0,
"id": 1
}`

// docDomainUpdate is the documented answer of PUT /api/domain/:id/update.
const docDomainUpdate = `{
"error": 0,
"message": "Domain has been updated successfully."
}`

// docDomainDelete is the documented answer of DELETE /api/domain/:id/delete.
const docDomainDelete = `{
"error": 0,
"message": "Domain has been deleted successfully."
}`

// docChannels is the documented answer of GET /api/channels?limit=2&page=1.
const docChannels = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"channels": [
{
"id": 1,
"name": "Channel 1",
"description": "Description of channel 1",
"color": "#000000",
"starred": true
},
{
"id": 2,
"name": "Channel 2",
"description": "Description of channel 2",
"color": "#FF0000",
"starred": false
}
]
}
}`

// docChannelItems is the documented answer of GET /api/channel/:id?limit=1&page=1.
const docChannelItems = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"items": [
{
"type": "links",
"id": 1,
"title": "My Sample Link",
"preview": "https:\/\/google.com",
"link": "https:\/\/1mm.kr\/google",
"date": "2022-05-12"
},
{
"type": "bio",
"id": 1,
"title": "My Sample Bio",
"preview": "https:\/\/1mm.kr\/mybio",
"link": "https:\/\/1mm.kr\/mybio",
"date": "2022-06-01"
}
]
}
}`

// docChannelAdd is the documented answer of POST /api/channel/add.
const docChannelAdd = `{
"error": 0,
"id": 3,
"name": "New Channel",
"description": "my new channel",
"color": "#000000",
"starred": true
}`

// docChannelAssign is the documented answer of POST /api/channel/:channelid/assign/:type/:itemid.
const docChannelAssign = `{
"error": 0,
"message": "Item successfully added to the channel."
}`

// docChannelUpdate is the documented answer of PUT /api/channel/:id/update.
const docChannelUpdate = `{
"error": 0,
"message": "Channel has been updated successfully."
}`

// docChannelDelete is the documented answer of DELETE /api/channel/:id/delete.
const docChannelDelete = `{
"error": 0,
"message": "Channel has been deleted successfully."
}`

// docCampaigns is the documented answer of GET /api/campaigns?limit=2&page=1.
const docCampaigns = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"campaigns": [
{
"id": 1,
"name": "Sample Campaign",
"public": false,
"rotator": false,
"list": "https:\/\/domain.com\/u\/admin\/list-1"
},
{
"id": 2,
"domain": "Facebook Campaign",
"public": true,
"rotator": "https:\/\/domain.com\/r\/test",
"list": "https:\/\/domain.com\/u\/admin\/test-2"
}
]
}
}`

// docCampaignAdd is the documented answer of POST /api/campaign/add.
const docCampaignAdd = `{
"error": 0,
"id": 3,
"domain": "New Campaign",
"public": true,
"rotator": "https:\/\/domain.com\/r\/new-campaign",
"list": "https:\/\/domain.com\/u\/admin\/new-campaign-3"
}`

// docCampaignAssign is the documented answer of POST /api/campaign/:campaignid/assign/:linkid.
const docCampaignAssign = `{
"error": 0,
"message": "Link successfully added to the campaign."
}`

// docCampaignUpdate is the documented answer of PUT /api/campaign/:id/update.
const docCampaignUpdate = `{
"error": 0,
"id": 3,
"domain": "Twitter Campaign",
"public": true,
"rotator": "https:\/\/domain.com\/r\/twitter-campaign",
"list": "https:\/\/domain.com\/u\/admin\/twitter-campaign-3"
}`

// docCampaignDelete is the documented answer of DELETE /api/campaign/:id/delete.
const docCampaignDelete = `{
"error": 0,
"message": "Campaign has been deleted successfully."
}`

// docPixels is the documented answer of GET /api/pixels?limit=2&page=1.
const docPixels = `{
"error": "0",
"data": {
"result": 2,
"perpage": 2,
"currentpage": 1,
"nextpage": 1,
"maxpage": 1,
"pixels": [
{
"id": 1,
"type": "gtmpixel",
"name": "GTM Pixel",
"tag": "GA-123456789",
"date": "2020-11-10 18:00:00"
},
{
"id": 2,
"type": "twitterpixel",
"name": "Twitter Pixel",
"tag": "1234567",
"date": "2020-11-10 18:10:00"
}
]
}
}`

// docPixelAdd is the documented answer of POST /api/pixel/add.
const docPixelAdd = `{
"error": 0,
"id": 1
}`

// docPixelUpdate is the documented answer of PUT /api/pixel/:id/update.
const docPixelUpdate = `{
"error": 0,
"message": "Pixel has been updated successfully."
}`

// docPixelDelete is the documented answer of DELETE /api/pixel/:id/delete.
const docPixelDelete = `{
"error": 0,
"message": "Pixel has been deleted successfully."
}`
