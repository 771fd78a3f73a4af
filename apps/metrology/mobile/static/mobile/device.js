// The device as the app knows it: a random identifier made on the first start and kept in this
// browser, with the name and (optional) IMEI the inspector gives it. A browser cannot read the IMEI.

import {randomId} from "./text.js";

const KEY = "metrology.mobile.device";

export function storedDevice() {
  try {
    const device = JSON.parse(localStorage.getItem(KEY) || "null");
    return device && device.identifier ? device : null;
  } catch (error) {
    return null;
  }
}

export function deviceIdentifier() {
  const device = storedDevice();
  return device ? device.identifier : "";
}

export function rememberDevice(name, imei) {
  const known = storedDevice();
  const device = {identifier: known ? known.identifier : randomId(), name, imei};
  localStorage.setItem(KEY, JSON.stringify(device));
  return device;
}
